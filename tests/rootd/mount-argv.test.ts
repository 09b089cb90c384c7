import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bindMountArgv,
  bindRemountArgv,
  isBusyMessage,
  tmpfsMountArgv,
  tmpfsRemountArgv,
  umountArgv,
} from '../../rootd/ops/mount-argv.ts';

const T = '/proc/4242/fd/17';
const S = '/proc/4242/fd/18';

test('a tmpfs mount is built with nosuid,nodev,noexec, the byte size, an octal mode and the owner', () => {
  assert.deepEqual(tmpfsMountArgv({ targetProc: T, sizeBytes: 262144, mode: 0o750, uid: 1234, gid: 2345 }), [
    '--no-canonicalize',
    '-t',
    'tmpfs',
    '-o',
    'nosuid,nodev,noexec,size=262144,mode=0750,uid=1234,gid=2345',
    'hop3-tmpfs',
    T,
  ]);
});

test('tmpfs modes are written as four octal digits, including the sticky bit and zero', () => {
  assert.match(tmpfsMountArgv({ targetProc: T, sizeBytes: 65536, mode: 0o1777, uid: 0, gid: 0 })[4] ?? '', /,mode=1777,/);
  assert.match(tmpfsMountArgv({ targetProc: T, sizeBytes: 65536, mode: 0, uid: 0, gid: 0 })[4] ?? '', /,mode=0000,/);
  assert.match(tmpfsMountArgv({ targetProc: T, sizeBytes: 65536, mode: 0o7, uid: 0, gid: 0 })[4] ?? '', /,mode=0007,/);
});

const badTmpfs: Array<[string, Parameters<typeof tmpfsMountArgv>[0]]> = [
  ['a negative size', { targetProc: T, sizeBytes: -1, mode: 0o755, uid: 0, gid: 0 }],
  ['a fractional size', { targetProc: T, sizeBytes: 1.5, mode: 0o755, uid: 0, gid: 0 }],
  ['a setuid mode', { targetProc: T, sizeBytes: 65536, mode: 0o4755, uid: 0, gid: 0 }],
  ['a negative uid', { targetProc: T, sizeBytes: 65536, mode: 0o755, uid: -1, gid: 0 }],
  ['uid 2^32-1 (the "no uid" value)', { targetProc: T, sizeBytes: 65536, mode: 0o755, uid: 0xffffffff, gid: 0 }],
];
for (const [what, args] of badTmpfs) {
  test(`the tmpfs builder refuses ${what} even if a caller skipped validation`, () => {
    assert.throws(() => tmpfsMountArgv(args), RangeError);
  });
}

test('a tmpfs re-assert remounts with the same flags and size', () => {
  assert.deepEqual(tmpfsRemountArgv(T, 65536), ['--no-canonicalize', '-o', 'remount,nosuid,nodev,noexec,size=65536', T]);
});

test('a bind is a plain --bind between two pinned fds, without options', () => {
  assert.deepEqual(bindMountArgv(S, T), ['--no-canonicalize', '--bind', S, T]);
});

test('the bind flags step remounts with bind,nosuid,nodev and ro or rw', () => {
  assert.deepEqual(bindRemountArgv(T, true), ['--no-canonicalize', '-o', 'remount,bind,nosuid,nodev,ro', T]);
  assert.deepEqual(bindRemountArgv(T, false), ['--no-canonicalize', '-o', 'remount,bind,nosuid,nodev,rw', T]);
});

test('umount is plain, or -l for a lazy detach', () => {
  assert.deepEqual(umountArgv('/proc/1/fd/3/cache', false), ['--no-canonicalize', '/proc/1/fd/3/cache']);
  assert.deepEqual(umountArgv('/proc/1/fd/3/cache', true), ['--no-canonicalize', '-l', '/proc/1/fd/3/cache']);
});

test('busy is recognised from util-linux messages and nothing else', () => {
  assert.equal(isBusyMessage('umount: /x: target is busy.\n'), true);
  assert.equal(isBusyMessage('umount: /x: device is busy.'), true);
  assert.equal(isBusyMessage('umount: /x: not mounted.'), false);
  assert.equal(isBusyMessage('umount: /x: must be superuser to unmount.'), false);
});
