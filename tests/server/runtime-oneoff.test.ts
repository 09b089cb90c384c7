import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { oneOffArgv, runOneOff } from '../../server/runtime/oneoff.ts';

describe('one-off commands (release hooks, hop3 run)', () => {
  it('run the line through /bin/sh -c as one argv element', () => {
    assert.deepEqual(oneOffArgv('echo "$A" && exit 3'), ['/bin/sh', ['-c', 'echo "$A" && exit 3']]);
  });

  it('run in the release directory with the app env, streaming output lines and returning the exit code', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'hop3-oneoff-'));
    const lines: string[] = [];
    const r = await runOneOff({
      command: 'pwd; echo "db=$DATABASE_URL"; echo oops >&2; printf tail; exit 4', cwd,
      env: { DATABASE_URL: 'postgres://a b@c/d' }, onLine: (l, s) => lines.push(`${s}: ${l}`),
    });
    rmSync(cwd, { recursive: true });
    assert.equal(r.exitCode, 4);
    assert.equal(r.timedOut, false);
    assert.deepEqual(lines.filter((l) => l.startsWith('stdout')), [`stdout: ${cwd}`, 'stdout: db=postgres://a b@c/d', 'stdout: tail']);
    assert.deepEqual(lines.filter((l) => l.startsWith('stderr')), ['stderr: oops']);
  });

  it('see none of the server\'s own environment', async () => {
    process.env['HOP3_TEST_SERVER_SECRET'] = 'leak';
    const lines: string[] = [];
    await runOneOff({ command: 'echo "[$HOP3_TEST_SERVER_SECRET]"', cwd: tmpdir(), env: {}, onLine: (l) => lines.push(l) });
    delete process.env['HOP3_TEST_SERVER_SECRET'];
    assert.deepEqual(lines, ['[]']);
  });

  it('kill the whole process group when the timeout passes', async () => {
    const t0 = performance.now();
    const r = await runOneOff({ command: 'sleep 30 & sleep 30; echo never', cwd: tmpdir(), env: {}, timeoutMs: 300 });
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, 'SIGKILL');
    assert.ok(performance.now() - t0 < 5000);
  });
});
