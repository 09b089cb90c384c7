/**
 * The fixture corpus: every example of the spec files validates; every
 * invalid fixture reports its expected code at its expected key path, with a
 * position, a message and a hint.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateConfigText } from '../../shared-protocol/config/index.ts';

const ROOT = join(import.meta.dirname, '../fixtures/config');
const VALID = join(ROOT, 'valid');
const INVALID = join(ROOT, 'invalid');

function fixtureFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f !== 'expectations.json').sort();
}

describe('every example of the spec files', () => {
  const expected = JSON.parse(readFileSync(join(VALID, 'expectations.json'), 'utf8')) as Record<string, string[] | string>;
  for (const file of fixtureFiles(VALID)) {
    it(`${file} validates without errors and with exactly its expected warnings`, () => {
      const { config, diagnostics } = validateConfigText(readFileSync(join(VALID, file), 'utf8'), file);
      const errors = diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(errors, [], `unexpected errors in ${file}`);
      assert.notEqual(config, null);
      const warnings = diagnostics.filter((d) => d.severity === 'warning').map((d) => d.code).sort();
      const want = expected[file];
      assert.deepEqual(warnings, Array.isArray(want) ? [...want].sort() : []);
    });
  }
});

describe('the invalid fixture corpus', () => {
  const expected = JSON.parse(readFileSync(join(INVALID, 'expectations.json'), 'utf8')) as Record<string, { code: string; path: string }>;
  const files = fixtureFiles(INVALID);

  it('has at least 60 invalid files, each with an expectation, and no orphan expectation', () => {
    assert.ok(files.length >= 60, `only ${files.length} invalid fixtures`);
    assert.deepEqual(files, Object.keys(expected).sort());
  });

  for (const file of files) {
    const want = expected[file];
    if (want === undefined) continue;
    it(`${file} is rejected with ${want.code} at "${want.path}"`, () => {
      const { config, diagnostics } = validateConfigText(readFileSync(join(INVALID, file), 'utf8'), file);
      assert.equal(config, null, 'an invalid file must not produce a config');
      const hit = diagnostics.find((d) => d.severity === 'error' && d.code === want.code && d.path === want.path);
      assert.ok(hit, `expected ${want.code} at ${want.path}; got:\n${diagnostics.map((d) => `  ${d.code} ${d.path} ${d.message}`).join('\n')}`);
      assert.equal(hit.file, file);
      assert.ok(hit.line >= 1 && hit.column >= 1, `no position for ${want.code}`);
      assert.ok(hit.message.length > 0 && hit.hint.length > 0);
    });
  }
});
