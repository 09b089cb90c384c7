/**
 * systemd socket activation, done the way systemd does it: a parent binds and
 * listens on the socket, puts it on fd 3, sets LISTEN_PID to the pid it then
 * exec()s into and LISTEN_FDS=1. rootd must serve that fd, and refuse it when
 * the socket's path, mode or owner are not what its config says.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { BIN, REPO, makeServeConfig, socketCall, type TempServeConfig } from './socket-harness.ts';

/** python3 plays systemd: bind+listen on argv[1] with mode argv[2], dup to fd 3, exec rootd with LISTEN_PID=$$. */
const ACTIVATOR = `
import os, socket, sys
path, mode, cfg, node, bin_ = sys.argv[1], int(sys.argv[2], 8), sys.argv[3], sys.argv[4], sys.argv[5]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
os.chmod(path, mode)
s.listen(16)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ['LISTEN_PID'] = str(os.getpid())
os.environ['LISTEN_FDS'] = '1'
os.execv(node, [node, '--import', 'tsx', bin_, 'serve', '--config', cfg])
`;

interface Activated {
  readonly ready: Promise<boolean>;
  readonly exited: Promise<number | null>;
  stderr(): string;
  stop(): void;
}

function activate(t: TempServeConfig, socketPath: string, mode: string): Activated {
  const p = spawn('python3', ['-c', ACTIVATOR, socketPath, mode, t.configFile, process.execPath, BIN], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => p.on('exit', (c) => r(c)));
  const ready = new Promise<boolean>((resolve) => {
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(' ready ')) resolve(true);
    });
    void exited.then(() => resolve(false));
  });
  return { ready, exited, stderr: () => err, stop: () => void p.kill('SIGTERM') };
}

const temps: TempServeConfig[] = [];
after(() => temps.forEach((t) => t.cleanup()));

describe('systemd socket activation', () => {
  test('rootd serves the inherited socket, logs that it was activated, and leaves the socket file to systemd', async () => {
    const t = makeServeConfig();
    temps.push(t);
    const a = activate(t, t.config.socket.path, '660');
    try {
      assert.equal(await a.ready, true, a.stderr());
      const r = await socketCall(t.config.socket.path, { v: 1, id: 'a1', op: 'daemon.handshake', params: { client: 'activation-test', protocol: 1 } });
      assert.equal(r['ok'], true, JSON.stringify(r));
      const start = readFileSync(t.config.op_log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { op: string; details?: { activated?: boolean } }).find((e) => e.op === 'daemon.start');
      assert.equal(start?.details?.activated, true);
    } finally {
      a.stop();
    }
    assert.equal(await a.exited, 0, a.stderr());
    assert.ok(existsSync(t.config.socket.path), 'an activated socket belongs to systemd and is not removed');
  });

  test('an activated socket with mode 0666 is refused (exit 5, E_SOCKET_UNSAFE)', async () => {
    const t = makeServeConfig();
    temps.push(t);
    const a = activate(t, t.config.socket.path, '666');
    assert.equal(await a.ready, false);
    assert.equal(await a.exited, 5);
    assert.match(a.stderr(), /E_SOCKET_UNSAFE: socket .* has mode 0666, not 0660/);
  });

  test('an activated socket bound to another path than the config names is refused (exit 5)', async () => {
    const t = makeServeConfig();
    temps.push(t);
    const a = activate(t, `${t.config.socket.path}.other`, '660');
    assert.equal(await a.ready, false);
    assert.equal(await a.exited, 5);
    assert.match(a.stderr(), /E_SOCKET_UNSAFE: the activated socket is bound to .*\.other, but the config says/);
  });
});
