/**
 * The private MariaDB harness itself: it serves on its own port and socket
 * with grants enforced, and stop() ends exactly its mariadbd and removes its dir.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createConnection } from 'mysql2/promise';
import { mariadbAvailable, startMariaDb } from './mariadb-instance.ts';

const skip = mariadbAvailable() ? false : 'mariadbd / mariadb-install-db not installed';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('the private MariaDB enforces passwords on its own port below 32768 and stop leaves no process and no directory', { skip }, async () => {
  const m = await startMariaDb();
  try {
    assert.ok(m.port >= 20000 && m.port < 32768);
    assert.notEqual(m.port, 3306);
    const admin = await createConnection({ host: '127.0.0.1', port: m.port, user: m.adminUser, password: m.adminPassword });
    await admin.end();
    const denied = await createConnection({ host: '127.0.0.1', port: m.port, user: m.adminUser, password: 'wrong' }).then(
      async (c) => {
        await c.end();
        return 'connected';
      },
      (e: unknown) => String((e as { code?: unknown }).code),
    );
    assert.equal(denied, 'ER_ACCESS_DENIED_ERROR');
    assert.ok(alive(m.pid));
  } finally {
    await m.stop();
  }
  assert.equal(alive(m.pid), false);
  assert.equal(existsSync(m.dir), false);
});
