import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderProtocolDoc } from '../../scripts/protocol-doc.ts';
import { ALL_OPS, ROOTD_ERRORS } from '../../shared-protocol/ops/index.ts';

test('docs/rootd-protocol.md is the generated one (run `npm run docs:protocol` after changing an op)', () => {
  const committed = readFileSync(new URL('../../docs/rootd-protocol.md', import.meta.url), 'utf8');
  assert.equal(committed, renderProtocolDoc());
});

test('the protocol doc names every op and every error code', () => {
  const doc = renderProtocolDoc();
  for (const op of ALL_OPS) assert.ok(doc.includes(`### ${op.name}`), op.name);
  for (const code of Object.keys(ROOTD_ERRORS)) assert.ok(doc.includes(`\`${code}\``), code);
});

test('every op declares only error codes that exist in the catalog, and each code has a meaning and a hint', () => {
  for (const op of ALL_OPS) for (const c of op.errors) assert.ok(c in ROOTD_ERRORS, `${op.name}: ${c}`);
  for (const [code, info] of Object.entries(ROOTD_ERRORS)) {
    assert.match(code, /^E_[A-Z0-9_]+$/);
    assert.ok(info.meaning.length > 10 && info.hint.length > 5, code);
  }
});
