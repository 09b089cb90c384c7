/** [nix]: template name and each template's required fields. */
import type { Reporter } from '../diagnostics.ts';
import type { Builder } from '../model.ts';
import { NIX_REQUIRED, NIX_TEMPLATES, type NixRaw, type NixTemplate } from '../schema/nix.ts';
import { didYouMean } from './did-you-mean.ts';

export function validateNix(raw: NixRaw, builder: Builder, rep: Reporter): NixRaw | null {
  let ok = true;
  if (!(NIX_TEMPLATES as readonly string[]).includes(raw.template)) {
    const guess = didYouMean(raw.template, NIX_TEMPLATES);
    rep.error('E_CONFIG_NIX_TEMPLATE', ['nix', 'template'], `unknown template ${JSON.stringify(raw.template)}${guess === undefined ? '' : ` (did you mean "${guess}"?)`}`);
    return null;
  }
  const template = raw.template as NixTemplate;
  const fields = raw as unknown as Record<string, unknown>;
  for (const f of NIX_REQUIRED[template]) {
    if (fields[f] === undefined) {
      rep.error('E_CONFIG_NIX_FIELD', ['nix'], `template ${template} requires "${f}"`);
      ok = false;
    }
  }
  (raw['config-files'] ?? []).forEach((cf, i) => {
    const format = cf.format ?? 'raw';
    if (format === 'raw' && cf.sections !== undefined) {
      rep.error('E_CONFIG_NIX_FIELD', ['nix', 'config-files', i, 'sections'], 'sections apply to format = "ini"; a raw file uses raw-content');
      ok = false;
    }
    if (format === 'ini' && cf['raw-content'] !== undefined) {
      rep.error('E_CONFIG_NIX_FIELD', ['nix', 'config-files', i, 'raw-content'], 'raw-content applies to format = "raw"');
      ok = false;
    }
    if (format === 'raw' && cf['raw-content'] === undefined) {
      rep.error('E_CONFIG_NIX_FIELD', ['nix', 'config-files', i], 'a raw config file needs raw-content');
      ok = false;
    }
  });
  if (builder !== 'nix') {
    rep.error('E_CONFIG_NIX_BUILDER', ['nix'], `[nix] is only used with builder = "nix" (builder is "${builder}")`);
    ok = false;
  }
  return ok ? raw : null;
}
