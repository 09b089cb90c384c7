/**
 * [nix]: template name, each template's required fields, config-file shapes,
 * then the hop3.nix generator itself on the section. The loader accepts a
 * [nix] section exactly when generateNix renders it: `hop3 config validate`
 * passing means the build's generation step passes too.
 */
import { isHop3Error } from '../../errors.ts';
import type { ConfigErrorCode } from '../errors.ts';
import type { Reporter } from '../diagnostics.ts';
import type { Builder, MetadataConfig } from '../model.ts';
import { nixInputFromParts } from '../nix/from-config.ts';
import { generateNix } from '../nix/generate.ts';
import { NIX_REQUIRED, NIX_TEMPLATES, type NixRaw, type NixTemplate } from '../schema/nix.ts';
import type { KeyPath } from '../source/position.ts';
import { didYouMean } from './did-you-mean.ts';

/** Names the derivation while validating when [metadata].id is absent (the deploy names the app). */
const PLACEHOLDER_APP = 'app';

const CODE_MAP: Readonly<Record<string, ConfigErrorCode>> = {
  E_NIX_UNKNOWN_TEMPLATE: 'E_CONFIG_NIX_TEMPLATE',
  E_NIX_MISSING_FIELD: 'E_CONFIG_NIX_FIELD',
  E_NIX_FIELD_UNUSED: 'E_CONFIG_NIX_FIELD_UNUSED',
};

/** The key path of a generator error's `details.field` ("url", "config-files.path", "app.version"). */
function pathOf(field: unknown): KeyPath {
  if (typeof field !== 'string' || field === '') return ['nix'];
  const [head = '', sub = ''] = field.split('.');
  if (head === 'app') return ['metadata', sub === 'name' ? 'id' : sub];
  return ['nix', head];
}

/** Runs the generator on the section and reports its refusal, if any, as a config diagnostic. */
function checkWithGenerator(raw: NixRaw, metadata: MetadataConfig, rep: Reporter): boolean {
  const identity = { ...metadata, id: metadata.id ?? PLACEHOLDER_APP };
  try {
    generateNix(nixInputFromParts(raw, identity));
    return true;
  } catch (e) {
    if (!isHop3Error(e)) throw e;
    const code = CODE_MAP[e.code] ?? 'E_CONFIG_NIX_VALUE';
    const message = code === 'E_CONFIG_NIX_VALUE' ? `${e.code}: ${e.message}` : e.message;
    rep.error(code, pathOf(e.details?.['field']), message, e.hint);
    return false;
  }
}

export function validateNix(raw: NixRaw, builder: Builder, metadata: MetadataConfig, rep: Reporter): NixRaw | null {
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
  if (ok) ok = checkWithGenerator(raw, metadata, rep);
  return ok ? raw : null;
}
