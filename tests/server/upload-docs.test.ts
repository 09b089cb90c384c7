import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_ERRORS } from '../../server/builders/errors.ts';
import { renderErrorTable, renderLimitsTable, renderUploadErrors } from '../../server/deploy/upload-docs.ts';

// Regenerate with: HOP3_UPDATE_DOCS=1 node --import tsx --test tests/server/upload-docs.test.ts
const DOC = join(import.meta.dirname, '..', '..', 'docs', 'builds.md');
const BLOCKS: Record<string, () => string> = {
  'upload-limits': renderLimitsTable,
  'upload-errors': renderUploadErrors,
  'build-errors': () => renderErrorTable(BUILD_ERRORS),
};

function regenerate(text: string): string {
  let out = text;
  for (const [name, render] of Object.entries(BLOCKS)) {
    const re = new RegExp(`(<!-- generated:${name} -->)[\\s\\S]*?(<!-- /generated:${name} -->)`);
    assert.match(out, re, `docs/builds.md has a ${name} block`);
    out = out.replace(re, (_m, open: string, close: string) => `${open}\n${render()}\n${close}`);
  }
  return out;
}

test('the limit and error tables in docs/builds.md are the ones the code generates', () => {
  const text = readFileSync(DOC, 'utf8');
  const fresh = regenerate(text);
  if (process.env['HOP3_UPDATE_DOCS'] === '1') writeFileSync(DOC, fresh);
  else assert.equal(text, fresh, 'docs/builds.md is stale: HOP3_UPDATE_DOCS=1 node --import tsx --test tests/server/upload-docs.test.ts');
});
