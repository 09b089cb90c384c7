import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { CONFIG_ERRORS, CONFIG_WARNINGS } from '../../shared-protocol/config/index.ts';

const SCRIPT = join(import.meta.dirname, '../../scripts/gen-config-docs.ts');

it('docs/hop3-toml.md is regenerated from the catalogs and lists every code', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', SCRIPT, '--check'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const doc = readFileSync(join(import.meta.dirname, '../../docs/hop3-toml.md'), 'utf8');
  for (const code of [...Object.keys(CONFIG_ERRORS), ...Object.keys(CONFIG_WARNINGS)]) assert.ok(doc.includes(`\`${code}\``), code);
});

it('every catalog entry has a meaning and a hint', () => {
  for (const [code, info] of Object.entries({ ...CONFIG_ERRORS, ...CONFIG_WARNINGS })) {
    assert.ok(info.meaning.length > 10 && info.hint.length > 5, code);
  }
});
