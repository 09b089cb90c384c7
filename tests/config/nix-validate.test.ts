import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateNix, NIX_ERRORS, NIX_TEMPLATES, TEMPLATE_FIELDS, type NixInput } from '../../shared-protocol/config/nix/index.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { NIX_INPUTS } from './nix-inputs.ts';

/** Builds an input from a golden input with fields replaced (undefined deletes). */
function mutate(template: keyof typeof NIX_INPUTS, patch: Record<string, unknown>): NixInput {
  const out: Record<string, unknown> = { ...NIX_INPUTS[template] };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out as unknown as NixInput;
}

function expectCode(input: NixInput, code: keyof typeof NIX_ERRORS, field?: string): void {
  let caught: unknown;
  try {
    generateNix(input);
  } catch (e) {
    caught = e;
  }
  assert.ok(isHop3Error(caught), `expected ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.ok((caught.hint ?? '').length > 0);
  if (field !== undefined) assert.equal(caught.details?.['field'], field, caught.message);
}

describe('generateNix validation', () => {
  for (const template of NIX_TEMPLATES) {
    for (const field of TEMPLATE_FIELDS[template].required) {
      it(`refuses a ${template} input without its required field ${field}`, () => {
        expectCode(mutate(template, { [field]: undefined }), 'E_NIX_MISSING_FIELD', field);
      });
    }
  }

  const cases: [string, NixInput, keyof typeof NIX_ERRORS, string?][] = [
    ['an unknown template', mutate('nixpkgs-wrapper', { template: 'nixpkgs-wraper' }), 'E_NIX_UNKNOWN_TEMPLATE', 'template'],
    ['a field the template does not use', mutate('nixpkgs-wrapper', { 'php-version': 'php82' }), 'E_NIX_FIELD_UNUSED', 'php-version'],
    ['a download URL on a template that builds from nixpkgs', mutate('python-venv', { url: 'https://x.org/a' }), 'E_NIX_FIELD_UNUSED', 'url'],
    ['a sha256 that is not a hash', mutate('java-war', { sha256: 'abc123' }), 'E_NIX_BAD_HASH', 'sha256'],
    ['a non-http URL', mutate('java-war', { url: 'file:///etc/passwd' }), 'E_NIX_BAD_URL', 'url'],
    ['a URL with a quote in it', mutate('java-war', { url: 'https://x.org/"a' }), 'E_NIX_BAD_URL', 'url'],
    ['a URL interpolating something other than ${version}', mutate('java-war', { url: 'https://x.org/${builtins.currentTime}' }), 'E_NIX_BAD_URL', 'url'],
    ['a URL using ${version} without a version', mutate('java-war', { app: { name: 'jenkins' } }), 'E_NIX_VERSION_REQUIRED', 'url'],
    ['an archive format that does not exist', mutate('prebuilt-archive', { archive: 'rar' }), 'E_NIX_BAD_FIELD', 'archive'],
    ['a nixpkgs-package that is not an attribute path', mutate('nixpkgs-wrapper', { 'nixpkgs-package': 'gitea; rm -rf /' }), 'E_NIX_BAD_FIELD', 'nixpkgs-package'],
    ['a nixpkgs-package ending in a reserved name', mutate('nixpkgs-wrapper', { 'nixpkgs-package': 'foo.version' }), 'E_NIX_BAD_FIELD', 'nixpkgs-package'],
    ['a runtime-package with an antiquotation', mutate('python-venv', { 'runtime-package': '${x}' }), 'E_NIX_BAD_FIELD', 'runtime-package'],
    ['a binary-name with a quote', mutate('prebuilt-binary', { 'binary-name': "po'cket" }), 'E_NIX_BAD_FIELD', 'binary-name'],
    ['an exec-target escaping the archive', mutate('node-prebuilt', { 'exec-target': '../../etc/x.js' }), 'E_NIX_BAD_PATH', 'exec-target'],
    ['an empty exec-target', mutate('ruby-bundler', { 'exec-target': ' ' }), 'E_NIX_BAD_FIELD', 'exec-target'],
    ['a php-version that is not phpNN', mutate('php-app', { 'php-version': 'php-8.2' }), 'E_NIX_BAD_FIELD', 'php-version'],
    ['a php extension with an antiquotation', mutate('php-app', { 'php-extensions': ['${x}'] }), 'E_NIX_BAD_FIELD', 'php-extensions'],
    ['an unknown serve-mode', mutate('php-app', { 'serve-mode': 'fpm' }), 'E_NIX_BAD_FIELD', 'serve-mode'],
    ['an absolute web-root', mutate('php-app', { 'web-root': '/var/www' }), 'E_NIX_BAD_PATH', 'web-root'],
    ['a post-install dir with ..', mutate('php-app', { 'post-install-dirs': ['storage/../../x'] }), 'E_NIX_BAD_PATH', 'post-install-dirs'],
    ['a local variable with an invalid name', mutate('ruby-bundler', { 'local-vars': { 'BAD-NAME': 'x' } }), 'E_NIX_BAD_VAR_NAME', 'local-vars'],
    ['an export with a name starting with a digit', mutate('ruby-bundler', { 'env-exports': { '1X': 'x' } }), 'E_NIX_BAD_VAR_NAME', 'env-exports'],
    ['a runtime-env name with a space', mutate('php-app', { 'runtime-env': { 'A B': 'x' } }), 'E_NIX_BAD_VAR_NAME', 'runtime-env'],
    ['a conditional-env with an injected condition-var', mutate('python-venv', { 'conditional-env': [{ name: 'X', 'condition-var': 'X:-}"; rm -rf /; #', value: '' }] }), 'E_NIX_BAD_VAR_NAME', 'conditional-env'],
    ['a conditional-env entry without value', mutate('python-venv', { 'conditional-env': [{ name: 'X' }] }), 'E_NIX_MISSING_FIELD', 'conditional-env'],
    ['a config file outside the app directory', mutate('prebuilt-archive', { 'config-files': [{ path: '../secrets', format: 'raw', 'raw-content': 'x' }] }), 'E_NIX_BAD_PATH', 'config-files.path'],
    ['a config file with an absolute path', mutate('prebuilt-archive', { 'config-files': [{ path: '/etc/passwd', format: 'raw', 'raw-content': 'x' }] }), 'E_NIX_BAD_PATH', 'config-files.path'],
    ['a config file path with a quote', mutate('prebuilt-archive', { 'config-files': [{ path: "a'b", format: 'raw', 'raw-content': 'x' }] }), 'E_NIX_BAD_PATH', 'config-files.path'],
    ['an ini config file without sections', mutate('prebuilt-archive', { 'config-files': [{ path: 'a.ini', format: 'ini' }] }), 'E_NIX_FIELD_CONFLICT', 'config-files'],
    ['a raw config file without content', mutate('prebuilt-archive', { 'config-files': [{ path: 'a.json', format: 'raw' }] }), 'E_NIX_FIELD_CONFLICT', 'config-files'],
    ['a config file in an unknown format', mutate('prebuilt-archive', { 'config-files': [{ path: 'a.yaml', format: 'yaml', 'raw-content': 'x' }] }), 'E_NIX_BAD_FIELD', 'config-files.format'],
    ['an ini key with a newline', mutate('nixpkgs-wrapper', { 'config-files': [{ path: 'a.ini', format: 'ini', sections: { s: { 'K\nX': 'v' } } }] }), 'E_NIX_BAD_FIELD', 'config-files.sections'],
    ['an ini value with a newline', mutate('nixpkgs-wrapper', { 'config-files': [{ path: 'a.ini', format: 'ini', sections: { s: { K: 'v\n[evil]' } } }] }), 'E_NIX_BAD_FIELD', 'config-files.sections'],
    ['extra-paths naming a package the template lacks', mutate('nixpkgs-wrapper', { 'extra-paths': ['${php}/bin'] }), 'E_NIX_UNKNOWN_REF', 'extra-paths'],
    ['extra-paths with an arbitrary Nix expression', mutate('nixpkgs-wrapper', { 'extra-paths': ['${builtins.readFile /etc/shadow}'] }), 'E_NIX_UNKNOWN_REF', 'extra-paths'],
    ['exec-args that are not strings', mutate('nixpkgs-wrapper', { 'exec-args': [1] }), 'E_NIX_BAD_FIELD', 'exec-args'],
    ['a non-boolean needs-composer', mutate('php-app', { 'needs-composer': 'yes' }), 'E_NIX_BAD_FIELD', 'needs-composer'],
    ['a single-file binary marked not executable', mutate('prebuilt-binary', { archive: undefined, executable: false }), 'E_NIX_FIELD_CONFLICT', 'executable'],
    ['an invalid app name', mutate('nixpkgs-wrapper', { app: { name: 'Gitea\nrm -rf /' } }), 'E_NIX_BAD_FIELD', 'app.name'],
    ['a missing app name', mutate('nixpkgs-wrapper', { app: { name: '' } }), 'E_NIX_MISSING_FIELD', 'app.name'],
  ];
  for (const [name, input, code, field] of cases) {
    it(`fails with ${code} on ${name}`, () => expectCode(input, code, field));
  }

  it('covers every code of the catalog', () => {
    // E_NIX_NOT_CONFIGURED belongs to generateNixForConfig: tests/config/nix-config.test.ts
    const covered = new Set<string>(['E_NIX_MISSING_FIELD', 'E_NIX_NOT_CONFIGURED', ...cases.map((c) => c[2])]);
    assert.deepEqual(Object.keys(NIX_ERRORS).filter((k) => !covered.has(k)), []);
  });

  it('accepts a single-file prebuilt binary and installs the download itself', () => {
    const text = generateNix(mutate('prebuilt-binary', { archive: undefined, url: 'https://x.org/tool-${version}', executable: true }));
    assert.ok(text.includes('dontUnpack = true;') && text.includes('install -Dm755 "$src" "$out/bin/pocketbase"'));
    assert.ok(!text.includes('pkgs.unzip'));
  });

  it('defaults php-app to php82 when php-version is absent', () => {
    assert.ok(generateNix(mutate('php-app', { 'php-version': undefined })).includes('php = pkgs.php82.withExtensions'));
  });

  it('uses artisan serve when serve-mode is "artisan"', () => {
    assert.ok(generateNix(mutate('php-app', { 'serve-mode': 'artisan', 'web-root': undefined })).includes('exec php artisan serve --host=127.0.0.1 --port=\\"$PORT\\"'));
  });

  it('picks a here-document delimiter that no content line equals', () => {
    const text = generateNix(mutate('prebuilt-archive', { 'config-files': [{ path: 'x.txt', format: 'raw', 'raw-content': 'a\nHOP3_EOF\nb' }] }));
    assert.ok(text.includes('<<HOP3_EOF_1\na\nHOP3_EOF\nb\nHOP3_EOF_1\n'));
  });

  it('uses the sha256 attribute for hex and Nix base32 hashes and hash for SRI', () => {
    assert.match(generateNix(NIX_INPUTS['java-war']), /sha256 = "0c4a/);
    assert.match(generateNix(NIX_INPUTS['prebuilt-archive']), /sha256 = "1b0r/);
    assert.match(generateNix(NIX_INPUTS['prebuilt-binary']), /hash = "sha256-/);
  });
});
