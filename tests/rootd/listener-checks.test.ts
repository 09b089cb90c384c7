import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listen, activationFd, type ListenTarget } from '../../rootd/listener.ts';
import { parseGroupFile, parseProcNetUnix, resolveGroup } from '../../rootd/socket-checks.ts';
import { parseCrashSpec, crashAt } from '../../rootd/crash-hook.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import type { RootdConfig } from '../../rootd/config.ts';

const NOGROUP = 65534;
const roots: string[] = [];
after(() => roots.forEach((d) => rmSync(d, { recursive: true, force: true })));

function tempRoot(): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), 'hop3-listener-')));
  roots.push(d);
  return d;
}

function target(socket: RootdConfig['socket']): ListenTarget {
  return {
    config: { socket },
    dispatcher: { handleLine: async (l: string) => l },
    oplog: { append: async () => undefined },
    health: { recordError: () => undefined },
  };
}

/** A socket dir set up correctly (0750 root:gid); `spoil` then breaks one thing. */
function setup(spoil: (dir: string, sock: string) => void, gid = 0): { dir: string; sock: string } {
  const root = tempRoot();
  const dir = join(root, 'run');
  mkdirSync(dir);
  chownSync(dir, 0, gid);
  chmodSync(dir, 0o750);
  const sock = join(dir, 'rootd.sock');
  spoil(dir, sock);
  return { dir, sock };
}

async function refusal(socket: RootdConfig['socket'], env: NodeJS.ProcessEnv = {}): Promise<{ code: string; message: string }> {
  try {
    const l = await listen(target(socket), { env, peerCred: () => ({ uid: 0, gid: 0, pid: 1 }) });
    await l.close();
  } catch (e) {
    assert.ok(isHop3Error(e), `expected a Hop3Error, got ${String(e)}`);
    return { code: e.code, message: e.message };
  }
  assert.fail('listen() started although it should have refused');
}

function tryConnect(path: string): Promise<string> {
  return new Promise((resolve) => {
    const c = connect(path);
    c.on('connect', () => (c.destroy(), resolve('connected')));
    c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

const live: Server[] = [];
after(() => live.forEach((s) => s.close()));

describe('the listener refuses to start on an unsafe socket location', () => {
  const cases: Array<[string, (dir: string, sock: string) => void, string, RegExp, Partial<RootdConfig['socket']>?]> = [
    ['a socket directory with mode 0755', (d) => chmodSync(d, 0o755), 'E_SOCKET_UNSAFE', /has mode 0755, not 0750/],
    ['a group-writable socket directory (0770)', (d) => chmodSync(d, 0o770), 'E_SOCKET_UNSAFE', /has mode 0770, not 0750/],
    ['a socket directory other users can enter (0751)', (d) => chmodSync(d, 0o751), 'E_SOCKET_UNSAFE', /has mode 0751/],
    ['a setgid socket directory (02750)', (d) => chmodSync(d, 0o2750), 'E_SOCKET_UNSAFE', /has mode 02750/],
    ['a socket directory owned by nobody', (d) => chownSync(d, 65534, 0), 'E_SOCKET_UNSAFE', /owned by uid 65534, not root/],
    ['a socket directory of the wrong group', (d) => chownSync(d, 0, NOGROUP), 'E_SOCKET_UNSAFE', /has group 65534, not the socket group 0/],
    ['a socket directory that is a regular file', (d) => (rmSync(d, { recursive: true }), writeFileSync(d, '')), 'E_SOCKET_UNSAFE', /is not a directory/],
    ['a socket directory that does not exist', (d) => rmSync(d, { recursive: true }), 'E_SOCKET_UNSAFE', /does not exist/],
    ['a socket directory that is a symlink to a good one', (d) => {
      const real = `${d}-real`;
      mkdirSync(real, { mode: 0o750 });
      chmodSync(real, 0o750);
      rmSync(d, { recursive: true });
      symlinkSync(real, d);
    }, 'E_SOCKET_UNSAFE', /is a symbolic link/],
    ['a group-writable directory above the socket directory', (d) => chmodSync(join(d, '..'), 0o775), 'E_SOCKET_UNSAFE', /above the socket directory\) is writable by group or other/],
    ['a regular file where the socket goes', (_d, s) => writeFileSync(s, 'data'), 'E_SOCKET_UNSAFE', /exists and is a regular file; rootd only replaces a stale socket/],
    ['a directory where the socket goes', (_d, s) => mkdirSync(s), 'E_SOCKET_UNSAFE', /exists and is a directory/],
    ['a symlink where the socket goes', (d, s) => symlinkSync(join(d, 'elsewhere'), s), 'E_SOCKET_UNSAFE', /exists and is a symbolic link/],
    ['an unknown socket group name', () => undefined, 'E_GROUP_UNKNOWN', /socket group "no-such-group-hop3" is not in \/etc\/group/, { group: 'no-such-group-hop3' }],
  ];
  for (const [what, spoil, code, re, sockOverride] of cases) {
    test(`${what} → ${code}`, async () => {
      const { sock } = setup(spoil);
      const r = await refusal({ path: sock, group: 0, allowed_uids: [], ...sockOverride });
      assert.equal(r.code, code);
      assert.match(r.message, re);
    });
  }

  test('a socket another process is listening on → E_SOCKET_IN_USE, and the socket is left alone', async () => {
    const { sock } = setup(() => undefined);
    const other = createServer();
    live.push(other);
    await new Promise<void>((r) => other.listen(sock, r));
    const r = await refusal({ path: sock, group: 0, allowed_uids: [] });
    assert.equal(r.code, 'E_SOCKET_IN_USE');
    assert.ok(lstatSync(sock).isSocket());
  });

  test('a socket-activation handover with two fds → E_SOCKET_UNSAFE', async () => {
    const { sock } = setup(() => undefined);
    const r = await refusal({ path: sock, group: 0, allowed_uids: [] }, { LISTEN_PID: String(process.pid), LISTEN_FDS: '2' });
    assert.equal(r.code, 'E_SOCKET_UNSAFE');
    assert.match(r.message, /LISTEN_FDS=2/);
  });
});

describe('the listener creates the socket root:<group> 0660', () => {
  test('a group given by name is resolved from /etc/group and set on the socket', async () => {
    const { sock } = setup(() => undefined, NOGROUP);
    const l = await listen(target({ path: sock, group: 'nogroup', allowed_uids: [] }), { env: {}, peerCred: () => ({ uid: 0, gid: 0, pid: 1 }) });
    try {
      const st = lstatSync(sock);
      assert.ok(st.isSocket());
      assert.equal(st.mode & 0o7777, 0o660);
      assert.equal(st.uid, 0);
      assert.equal(st.gid, NOGROUP);
      assert.equal(l.gid, NOGROUP);
      assert.equal(l.activated, false);
    } finally {
      await l.close();
    }
    assert.throws(() => lstatSync(sock), /ENOENT/, 'close() removes the socket it created');
  });

  test('a stale socket nobody listens on is replaced', async () => {
    const { sock } = setup(() => undefined);
    // A process that bound the path and died leaves exactly this behind.
    const r = spawnSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', sock]);
    assert.equal(r.status, 0, String(r.stderr));
    assert.ok(lstatSync(sock).isSocket());
    assert.equal(await tryConnect(sock), 'ECONNREFUSED');
    const l = await listen(target({ path: sock, group: 0, allowed_uids: [] }), { env: {}, peerCred: () => ({ uid: 0, gid: 0, pid: 1 }) });
    try {
      assert.equal(await tryConnect(sock), 'connected');
      assert.equal(lstatSync(sock).mode & 0o7777, 0o660);
    } finally {
      await l.close();
    }
  });
});

describe('pure parsers', () => {
  test('parseGroupFile maps names to gids and skips malformed lines', () => {
    const text = ['root:x:0:', 'hop3:x:998:hop3', '# comment', 'broken', 'neg:x:-1:', 'big:x:99999999999:', 'nogroup:x:65534:', 'hop3:x:1:dup', ''].join('\n');
    assert.deepEqual([...parseGroupFile(text)], [['root', 0], ['hop3', 998], ['nogroup', 65534]]);
  });

  test('resolveGroup takes a gid as is and refuses an unknown name with E_GROUP_UNKNOWN', () => {
    assert.equal(resolveGroup(42, ''), 42);
    assert.equal(resolveGroup('hop3', 'hop3:x:998:\n'), 998);
    assert.throws(() => resolveGroup('hop4', 'hop3:x:998:\n'), (e: unknown) => isHop3Error(e) && e.code === 'E_GROUP_UNKNOWN');
  });

  test('parseProcNetUnix returns inode and path of bound sockets only', () => {
    const text = [
      'Num       RefCount Protocol Flags    Type St Inode Path',
      '0000000000000000: 00000002 00000000 00010000 0001 01 31337 /run/hop3/rootd.sock',
      '0000000000000000: 00000003 00000000 00000000 0001 03 4242',
      '0000000000000000: 00000002 00000000 00010000 0001 01 777 @abstract',
      '0000000000000000: 00000002 00000000 00010000 0001 01 778 /tmp/with space.sock',
    ].join('\n');
    assert.deepEqual(parseProcNetUnix(text), [
      { inode: 31337, path: '/run/hop3/rootd.sock' },
      { inode: 778, path: '/tmp/with space.sock' },
    ]);
  });

  test('activationFd uses fd 3 only when LISTEN_PID is this process', () => {
    assert.equal(activationFd({}, 100), null);
    assert.equal(activationFd({ LISTEN_PID: '99', LISTEN_FDS: '1' }, 100), null);
    assert.equal(activationFd({ LISTEN_PID: '100', LISTEN_FDS: '1' }, 100), 3);
    assert.throws(() => activationFd({ LISTEN_PID: '100', LISTEN_FDS: '0' }, 100), /LISTEN_FDS=0/);
  });

  test('the crash hook spec names a write step and an optional write number', () => {
    assert.deepEqual(parseCrashSpec('after-rename'), { step: 'after-rename', n: 1 });
    assert.deepEqual(parseCrashSpec('before-tmp:3'), { step: 'before-tmp', n: 3 });
    for (const bad of ['', 'after-nothing', 'after-rename:0', 'after-rename:x', 'AFTER-RENAME']) {
      assert.throws(() => parseCrashSpec(bad), (e: unknown) => isHop3Error(e) && e.code === 'E_CONFIG_INVALID', bad);
    }
  });

  test('the crash hook fires only at the chosen step of the chosen write', () => {
    const fired: string[] = [];
    const hook = crashAt({ step: 'after-tmp-fsync', n: 2 }, () => fired.push('kill'));
    const steps = ['before-tmp', 'after-tmp-write', 'after-tmp-fsync', 'after-rename', 'after-dir-fsync'] as const;
    for (const s of steps) hook(s);
    assert.deepEqual(fired, []);
    for (const s of steps) {
      hook(s);
      if (s === 'after-tmp-fsync') assert.deepEqual(fired, ['kill']);
    }
    assert.deepEqual(fired, ['kill']);
  });
});
