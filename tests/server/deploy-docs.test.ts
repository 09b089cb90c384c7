import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOY_ERRORS } from '../../server/deploy/errors.ts';
import { renderErrorTable } from '../../server/deploy/upload-docs.ts';

// Regenerate with: HOP3_UPDATE_DOCS=1 node --import tsx --test tests/server/deploy-docs.test.ts
const DOC = join(import.meta.dirname, '..', '..', 'docs', 'deploy.md');

test('the pipeline error table in docs/deploy.md is the one the code generates', () => {
  const text = readFileSync(DOC, 'utf8');
  const re = /(<!-- generated:deploy-errors -->)[\s\S]*?(<!-- \/generated:deploy-errors -->)/;
  assert.match(text, re);
  const fresh = text.replace(re, (_m, open: string, close: string) => `${open}\n${renderErrorTable(DEPLOY_ERRORS)}\n${close}`);
  if (process.env['HOP3_UPDATE_DOCS'] === '1') writeFileSync(DOC, fresh);
  else assert.equal(text, fresh, 'docs/deploy.md is stale: HOP3_UPDATE_DOCS=1 node --import tsx --test tests/server/deploy-docs.test.ts');
});
