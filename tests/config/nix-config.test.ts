/**
 * The seam between the config loader and the hop3.nix generator: a hop3.toml
 * with [nix] loads into the input generateNix expects, generates the golden
 * file of its template, and the loader and the generator agree on every [nix]
 * section of the fixture corpus (neither accepts what the other refuses).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateConfigText, type AppConfig, type Diagnostic } from '../../shared-protocol/config/index.ts';
import {
  COMMON_FIELDS, generateNix, generateNixForConfig, NIX_TEMPLATES, nixInputFromConfig, TEMPLATE_FIELDS, type NixInput,
} from '../../shared-protocol/config/nix/index.ts';
import { NixSchema } from '../../shared-protocol/config/schema/nix.ts';
import { formatOf, parseSource } from '../../shared-protocol/config/source/index.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { NIX_INPUTS } from './nix-inputs.ts';

const CONFIG = join(import.meta.dirname, '../fixtures/config');
const GOLDEN = join(import.meta.dirname, '../fixtures/nix');

function load(file: string): { config: AppConfig | null; diagnostics: Diagnostic[] } {
  return validateConfigText(readFileSync(join(CONFIG, file), 'utf8'), file);
}

function loaded(file: string): AppConfig {
  const { config, diagnostics } = load(file);
  assert.deepEqual(diagnostics, [], `${file} must load without diagnostics`);
  assert.ok(config !== null);
  return config;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every fixture of the corpus whose document has a [nix] table, with that table and [metadata]. */
function nixFixtures(): Array<{ file: string; nix: Record<string, unknown>; metadata: Record<string, unknown> }> {
  const out = [];
  for (const dir of ['valid', 'invalid']) {
    for (const name of readdirSync(join(CONFIG, dir)).sort()) {
      const format = formatOf(name);
      if (format === undefined || name === 'expectations.json') continue;
      const parsed = parseSource(readFileSync(join(CONFIG, dir, name), 'utf8'), format);
      if (!parsed.ok || !isTable(parsed.value) || !isTable(parsed.value['nix'])) continue;
      const metadata = parsed.value['metadata'];
      out.push({ file: `${dir}/${name}`, nix: parsed.value['nix'], metadata: isTable(metadata) ? metadata : {} });
    }
  }
  return out;
}

/** The generator's verdict on a raw [nix] table: null when it renders, else its error code. */
function generatorRefusal(nix: Record<string, unknown>, metadata: Record<string, unknown>): string | null {
  const id = metadata['id'];
  const input = {
    app: {
      name: typeof id === 'string' && id !== '' ? id : 'app',
      ...(typeof metadata['version'] === 'string' ? { version: metadata['version'] } : {}),
      ...(typeof metadata['description'] === 'string' ? { description: metadata['description'] } : {}),
    },
    ...nix,
  } as unknown as NixInput;
  try {
    generateNix(input);
    return null;
  } catch (e) {
    if (!isHop3Error(e)) throw e;
    return e.code;
  }
}

/** The loader's verdict on the [nix] section itself (E_CONFIG_NIX_BUILDER is about [build], not [nix]). */
function loaderRefusal(diagnostics: readonly Diagnostic[]): Diagnostic | undefined {
  return diagnostics.find((d) => d.severity === 'error' && d.code !== 'E_CONFIG_NIX_BUILDER'
    && (d.code.startsWith('E_CONFIG_NIX_') || d.path === 'nix' || d.path.startsWith('nix.') || d.path.startsWith('nix[')));
}

describe('hop3.toml → hop3.nix, end to end', () => {
  for (const template of NIX_TEMPLATES) {
    const file = `valid/nix-${template}.toml`;

    it(`loads the ${template} fixture into exactly the generator input of its golden`, () => {
      assert.deepEqual(nixInputFromConfig(loaded(file)), NIX_INPUTS[template]);
    });

    it(`generates the ${template} golden hop3.nix from the loaded config`, () => {
      assert.equal(generateNixForConfig(loaded(file)), readFileSync(join(GOLDEN, `${template}.nix`), 'utf8'));
    });
  }

  it('names the derivation after the deployed app when [metadata].id is absent', () => {
    const config = loaded('valid/ref-nix-wrapper.toml');
    assert.equal(config.metadata.id, null);
    assert.equal(nixInputFromConfig(config, { appName: 'shop' }).app.name, 'shop');
    assert.match(generateNixForConfig(config, { appName: 'shop' }), /pname = "shop";\n {2}version = "2\.0\.1";/);
  });

  it('refuses to generate without an app name from either [metadata].id or the deploy', () => {
    assert.throws(() => generateNixForConfig(loaded('valid/ref-nix-wrapper.toml')), (e: unknown) =>
      isHop3Error(e) && e.code === 'E_NIX_MISSING_FIELD' && e.details?.['field'] === 'app.name');
  });

  it('refuses to generate for a config without a [nix] section', () => {
    assert.throws(() => generateNixForConfig(loaded('valid/adr046-phoenix.toml')), (e: unknown) => isHop3Error(e) && e.code === 'E_NIX_NOT_CONFIGURED');
  });
});

describe('the loader and the generator agree on [nix]', () => {
  it('declare the same [nix] fields: the schema lists exactly what the generator reads', () => {
    const generatorFields = new Set<string>(['template', ...COMMON_FIELDS]);
    for (const t of NIX_TEMPLATES) for (const f of [...TEMPLATE_FIELDS[t].required, ...TEMPLATE_FIELDS[t].optional]) generatorFields.add(f);
    assert.deepEqual(Object.keys(NixSchema.properties).sort(), [...generatorFields].sort());
  });

  const fixtures = nixFixtures();
  it('find [nix] sections in the corpus: every template, valid and invalid ones', () => {
    assert.ok(fixtures.length >= 30, `only ${fixtures.length} fixtures with [nix]`);
    for (const t of NIX_TEMPLATES) assert.ok(fixtures.some((f) => f.nix['template'] === t && f.file.startsWith('valid/')), t);
  });

  for (const { file, nix, metadata } of fixtures) {
    it(`give the same verdict on the [nix] section of ${file}`, () => {
      const { config, diagnostics } = load(file);
      const byLoader = loaderRefusal(diagnostics);
      const byGenerator = generatorRefusal(nix, metadata);
      assert.equal(byLoader === undefined, byGenerator === null,
        `loader: ${byLoader === undefined ? 'accepts' : `${byLoader.code} ${byLoader.path}: ${byLoader.message}`}; generator: ${byGenerator ?? 'accepts'}`);
      if (config !== null) assert.ok(generateNixForConfig(config, { appName: 'app' }).startsWith('# hop3.nix for app'));
    });
  }

  const refusals: Array<[string, string, string, string]> = [
    ['a hash that is not SHA-256', 'invalid/nix-bad-hash.toml', 'E_NIX_BAD_HASH', 'nix.sha256'],
    ['a field the template ignores', 'invalid/nix-field-unused.toml', 'E_NIX_FIELD_UNUSED', 'nix.php-version'],
    ['${version} without [metadata].version', 'invalid/nix-url-needs-version.toml', 'E_NIX_VERSION_REQUIRED', 'nix.url'],
    ['an extra-paths reference to another template\'s package', 'invalid/nix-extra-paths-unknown-ref.toml', 'E_NIX_UNKNOWN_REF', 'nix.extra-paths'],
    ['an exec-target escaping the archive', 'invalid/nix-exec-target-dotdot.toml', 'E_NIX_BAD_PATH', 'nix.exec-target'],
    ['an invalid shell variable name', 'invalid/nix-bad-var-name.toml', 'E_NIX_BAD_VAR_NAME', 'nix.env-exports'],
  ];
  for (const [what, file, nixCode, path] of refusals) {
    it(`reports ${what} at ${path}, with a position and the generator's code and hint`, () => {
      const { config, diagnostics } = load(file);
      assert.equal(config, null);
      const d = diagnostics.find((x) => x.path === path);
      assert.ok(d, diagnostics.map((x) => `${x.code} ${x.path}`).join('\n'));
      assert.ok(d.line >= 1 && d.column >= 1);
      assert.ok(d.code === 'E_CONFIG_NIX_FIELD_UNUSED' || d.message.startsWith(`${nixCode}: `), d.message);
      assert.ok(d.hint.length > 0);
    });
  }
});
