import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { renderGenerated } from '../../server/docs/tables.ts';

test('the generated tables of docs/server.md (settings, routes, error codes) match the code (npm run docs:server)', () => {
  const doc = readFileSync(new URL('../../docs/server.md', import.meta.url), 'utf8');
  assert.equal(renderGenerated(doc), doc);
});

test('every HOP3_* variable the server reads is documented', () => {
  const doc = readFileSync(new URL('../../docs/server.md', import.meta.url), 'utf8');
  for (const name of ['HOP3_LISTEN', 'HOP3_DATA_DIR', 'HOP3_ROOTD_SOCKET', 'HOP3_DOMAIN', 'HOP3_APP_ROOT', 'HOP3_APP_START_TIMEOUT', 'HOP3_CONFIG']) {
    assert.ok(doc.includes(name), name);
  }
});
