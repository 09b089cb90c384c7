/**
 * Validation of a NixInput against its template: required fields present,
 * fields the template ignores refused, every value typed and well-formed.
 * Returns the input narrowed to a known template; throws Hop3Error otherwise.
 */
import { Hop3Error } from '../../errors.ts';
import { NIX_ERRORS, type NixErrorCode } from './errors.ts';
import {
  COMMON_FIELDS,
  NIX_ARCHIVES,
  NIX_TEMPLATES,
  TEMPLATE_FIELDS,
  type NixField,
  type NixInput,
  type NixTemplate,
} from './types.ts';

export interface ValidNixInput extends NixInput {
  readonly template: NixTemplate;
}

export function nixError(code: NixErrorCode, message: string, details: Record<string, unknown> = {}, hint?: string): Hop3Error {
  return new Hop3Error(code, message, { hint: hint ?? NIX_ERRORS[code].hint, details });
}

export const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A Nix attribute path such as "gitea" or "python3Packages.flask". */
export const ATTR_PATH = /^[A-Za-z_][A-Za-z0-9_'-]*(\.[A-Za-z_][A-Za-z0-9_'-]*)*$/;
export const SAFE_NAME = /^[A-Za-z0-9._+-]+$/;
const REL_PATH = /^[A-Za-z0-9._+@-]+(\/[A-Za-z0-9._+@-]+)*\/?$/;
const HASH = /^([0-9a-fA-F]{64}|[0-9abcdfghijklmnpqrsvwxyz]{52}|sha256-[A-Za-z0-9+/]{43}=)$/;

function where(field: string): string {
  return `[nix].${field}`;
}

function str(input: NixInput, field: NixField): string | undefined {
  const v = (input as unknown as Record<string, unknown>)[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw nixError('E_NIX_BAD_FIELD', `${where(field)} must be a string.`, { field });
  return v;
}

function strList(field: string, v: unknown): readonly string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw nixError('E_NIX_BAD_FIELD', `${where(field)} must be an array of strings.`, { field });
  }
  return v;
}

function strMap(field: string, v: unknown): Readonly<Record<string, string>> {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    throw nixError('E_NIX_BAD_FIELD', `${where(field)} must be a table of strings.`, { field });
  }
  return v as Record<string, string>;
}

function varName(field: string, name: string): void {
  if (!VAR_NAME.test(name)) throw nixError('E_NIX_BAD_VAR_NAME', `${where(field)}: "${name}" is not a valid variable name.`, { field, name });
}

export function relPath(field: string, p: string): void {
  if (!REL_PATH.test(p) || p.split('/').some((c) => c === '..' || c === '.')) {
    throw nixError('E_NIX_BAD_PATH', `${where(field)}: "${p}" is not a relative path inside the app directory.`, { field, path: p });
  }
}

function checkUrl(input: NixInput): void {
  const url = str(input, 'url');
  if (url === undefined) return;
  if (!/^https?:\/\/[^\s"'\\]+$/.test(url) || url.replaceAll('${version}', '').includes('${')) {
    throw nixError('E_NIX_BAD_URL', `${where('url')} "${url}" is not an http(s) URL with only \${version} interpolated.`, { field: 'url' });
  }
  if (url.includes('${version}') && (input.app.version === undefined || input.app.version === '')) {
    throw nixError('E_NIX_VERSION_REQUIRED', `${where('url')} uses \${version} but [metadata].version is not set.`, { field: 'url' });
  }
}

function checkWrapperFields(input: NixInput): void {
  strList('exec-args', input['exec-args']);
  strList('extra-paths', input['extra-paths']);
  strList('pre-exec', input['pre-exec']);
  for (const f of ['local-vars', 'env-exports', 'runtime-env'] as const) {
    for (const k of Object.keys(strMap(f, input[f]))) varName(f, k);
  }
  const cond = input['conditional-env'] ?? [];
  if (!Array.isArray(cond)) throw nixError('E_NIX_BAD_FIELD', `${where('conditional-env')} must be an array of tables.`, { field: 'conditional-env' });
  for (const c of cond) {
    if (typeof c?.name !== 'string' || typeof c.value !== 'string') {
      throw nixError('E_NIX_MISSING_FIELD', `${where('conditional-env')} entries need a string name and value.`, { field: 'conditional-env' });
    }
    varName('conditional-env', c.name);
    if (c['condition-var'] !== undefined) varName('conditional-env', c['condition-var']);
  }
  const files = input['config-files'] ?? [];
  if (!Array.isArray(files)) throw nixError('E_NIX_BAD_FIELD', `${where('config-files')} must be an array of tables.`, { field: 'config-files' });
  for (const f of files) checkConfigFile(f);
}

function checkConfigFile(f: NonNullable<NixInput['config-files']>[number]): void {
  if (typeof f?.path !== 'string') throw nixError('E_NIX_MISSING_FIELD', `${where('config-files')} entries need a path.`, { field: 'config-files.path' });
  relPath('config-files.path', f.path.replace(/\/$/, ''));
  const format = f.format ?? 'raw';
  if (format !== 'ini' && format !== 'raw') {
    throw nixError('E_NIX_BAD_FIELD', `${where('config-files')} "${f.path}": format must be "ini" or "raw".`, { field: 'config-files.format' });
  }
  if (format === 'ini') {
    if (f.sections === undefined || f['raw-content'] !== undefined) {
      throw nixError('E_NIX_FIELD_CONFLICT', `${where('config-files')} "${f.path}": an "ini" file needs sections and no raw-content.`, { field: 'config-files' });
    }
    for (const [name, entries] of Object.entries(f.sections)) {
      if (/[\]\r\n]/.test(name)) throw nixError('E_NIX_BAD_FIELD', `${where('config-files')} "${f.path}": bad section name "${name}".`, { field: 'config-files.sections' });
      for (const [k, v] of Object.entries(strMap(`config-files.sections.${name}`, entries))) {
        if (!/^[^=\r\n[\];#]+$/.test(k) || /[\r\n]/.test(v)) {
          throw nixError('E_NIX_BAD_FIELD', `${where('config-files')} "${f.path}": bad ini entry "${k}" in [${name}] (no "=", newline or brackets).`, { field: 'config-files.sections' });
        }
      }
    }
  } else if (typeof f['raw-content'] !== 'string' || f.sections !== undefined) {
    throw nixError('E_NIX_FIELD_CONFLICT', `${where('config-files')} "${f.path}": a "raw" file needs raw-content and no sections.`, { field: 'config-files' });
  }
  if (f['create-if-missing'] !== undefined && typeof f['create-if-missing'] !== 'boolean') {
    throw nixError('E_NIX_BAD_FIELD', `${where('config-files')} "${f.path}": create-if-missing must be a boolean.`, { field: 'config-files.create-if-missing' });
  }
}

function checkSpecificFields(input: ValidNixInput): void {
  const sha = str(input, 'sha256');
  if (sha !== undefined && !HASH.test(sha)) throw nixError('E_NIX_BAD_HASH', `${where('sha256')} "${sha}" is not a SHA-256 hash.`, { field: 'sha256' });
  checkUrl(input);
  const archive = str(input, 'archive');
  if (archive !== undefined && !(NIX_ARCHIVES as readonly string[]).includes(archive)) {
    throw nixError('E_NIX_BAD_FIELD', `${where('archive')} must be one of ${NIX_ARCHIVES.join(', ')}.`, { field: 'archive' });
  }
  for (const f of ['nixpkgs-package', 'runtime-package'] as const) {
    const v = str(input, f);
    if (v !== undefined && !ATTR_PATH.test(v)) throw nixError('E_NIX_BAD_FIELD', `${where(f)} "${v}" is not a nixpkgs attribute path.`, { field: f });
  }
  const bin = str(input, 'binary-name');
  if (bin !== undefined && !SAFE_NAME.test(bin)) throw nixError('E_NIX_BAD_FIELD', `${where('binary-name')} "${bin}" must be a file name (letters, digits, . _ + -).`, { field: 'binary-name' });
  const target = str(input, 'exec-target');
  if (target !== undefined && target.trim() === '') throw nixError('E_NIX_BAD_FIELD', `${where('exec-target')} is empty.`, { field: 'exec-target' });
  if (target !== undefined && (input.template === 'prebuilt-archive' || input.template === 'node-prebuilt')) relPath('exec-target', target);
  const php = str(input, 'php-version');
  if (php !== undefined && !/^php[0-9]{1,2}$/.test(php)) throw nixError('E_NIX_BAD_FIELD', `${where('php-version')} "${php}" must look like "php82".`, { field: 'php-version' });
  for (const ext of strList('php-extensions', input['php-extensions'])) {
    if (!/^[a-z_][a-z0-9_]*$/.test(ext)) throw nixError('E_NIX_BAD_FIELD', `${where('php-extensions')}: "${ext}" is not an extension name.`, { field: 'php-extensions' });
  }
  strList('composer-extra-flags', input['composer-extra-flags']);
  strList('pip-packages', input['pip-packages']);
  strList('jvm-opts', input['jvm-opts']);
  for (const d of strList('post-install-dirs', input['post-install-dirs'])) relPath('post-install-dirs', d);
  const web = str(input, 'web-root');
  if (web !== undefined) relPath('web-root', web);
  const mode = str(input, 'serve-mode');
  if (mode !== undefined && mode !== 'builtin' && mode !== 'artisan') throw nixError('E_NIX_BAD_FIELD', `${where('serve-mode')} must be "builtin" or "artisan".`, { field: 'serve-mode' });
  for (const f of ['executable', 'needs-composer'] as const) {
    if (input[f] !== undefined && typeof input[f] !== 'boolean') throw nixError('E_NIX_BAD_FIELD', `${where(f)} must be a boolean.`, { field: f });
  }
  if (input.template === 'prebuilt-binary' && archive === undefined && input.executable === false) {
    throw nixError('E_NIX_FIELD_CONFLICT', `${where('executable')} = false needs an archive: without one the download is the binary itself.`, { field: 'executable' });
  }
}

export function validateNixInput(input: NixInput): ValidNixInput {
  if (typeof input.app?.name !== 'string' || input.app.name === '') {
    throw nixError('E_NIX_MISSING_FIELD', 'the app name is required to generate hop3.nix.', { field: 'app.name' }, 'Set [metadata].id.');
  }
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(input.app.name)) {
    throw nixError('E_NIX_BAD_FIELD', `the app name "${input.app.name}" is not a valid app name.`, { field: 'app.name' },
      'Use 1-63 chars: lowercase letters, digits and dashes, starting with a letter or digit.');
  }
  for (const f of ['version', 'description'] as const) {
    if (input.app[f] !== undefined && typeof input.app[f] !== 'string') {
      throw nixError('E_NIX_BAD_FIELD', `[metadata].${f} must be a string.`, { field: `app.${f}` });
    }
  }
  const t = input.template;
  if (!(NIX_TEMPLATES as readonly string[]).includes(t)) {
    throw nixError('E_NIX_UNKNOWN_TEMPLATE', `[nix].template "${String(t)}" is not a known template.`, { field: 'template', known: [...NIX_TEMPLATES] });
  }
  const valid = input as ValidNixInput;
  const spec = TEMPLATE_FIELDS[valid.template];
  for (const f of spec.required) {
    const v = (input as unknown as Record<string, unknown>)[f];
    if (v === undefined || v === '') {
      throw nixError('E_NIX_MISSING_FIELD', `[nix] template "${t}" requires ${where(f)}.`, { field: f, template: t, required: [...spec.required] },
        `Add ${f} to [nix]; template "${t}" requires: ${spec.required.join(', ')}.`);
    }
  }
  const allowed = new Set<string>(['app', 'template', ...COMMON_FIELDS, ...spec.required, ...spec.optional]);
  for (const [k, v] of Object.entries(input)) {
    if (v !== undefined && !allowed.has(k)) {
      throw nixError('E_NIX_FIELD_UNUSED', `${where(k)} is not used by template "${t}".`, { field: k, template: t },
        `Remove ${k}; template "${t}" uses: ${[...spec.required, ...spec.optional, ...COMMON_FIELDS].join(', ')}.`);
    }
  }
  checkWrapperFields(valid);
  checkSpecificFields(valid);
  return valid;
}
