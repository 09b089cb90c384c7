/**
 * mount.* against the real kernel, inside a throwaway namespace:
 *   unshare -m -n --propagation private -- node --import tsx mount-ns-runner.ts <tmp>
 * Every mount happens in that mount namespace and disappears with it (and the
 * private network namespace keeps any stray firewall call off the host). The
 * runner reports facts per scenario; the assertions live here.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNNER = join(dirname(fileURLToPath(import.meta.url)), 'mount-ns-runner.ts');
const isRoot = process.getuid?.() === 0;

type Outcome = { scenario: string; ok: boolean; facts?: Record<string, unknown>; error?: string };

describe('mount ops against the real kernel in a private mount namespace', { skip: isRoot ? false : 'needs root to create a mount namespace and chown' }, () => {
  let workdir = '';
  const outcomes = new Map<string, Outcome>();
  let runnerOutput = '';

  before(() => {
    workdir = realpathSync(mkdtempSync(join(tmpdir(), 'hop3-mount-')));
    const r = spawnSync('/usr/bin/unshare', ['-m', '-n', '--propagation', 'private', '--', process.execPath, '--import', 'tsx', RUNNER, workdir], {
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOP3_TEST_HOST_MNT_NS: readlinkSync('/proc/self/ns/mnt'),
        HOP3_TEST_HOST_NET_NS: readlinkSync('/proc/self/ns/net'),
      },
    });
    runnerOutput = `exit ${r.status} signal ${r.signal}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
    for (const line of (r.stdout ?? '').split('\n')) {
      if (!line.startsWith('{')) continue;
      const o = JSON.parse(line) as Outcome;
      outcomes.set(o.scenario, o);
    }
  });

  after(() => {
    // The namespace is gone with the runner; the host view of workdir holds plain directories only.
    if (workdir !== '') rmSync(workdir, { recursive: true, force: true });
  });

  function facts(name: string): Record<string, unknown> {
    const o = outcomes.get(name);
    assert.ok(o, `scenario ${name} did not report; runner said:\n${runnerOutput}`);
    assert.ok(o.ok, `scenario ${name} threw:\n${o.error}`);
    return o.facts ?? {};
  }

  test('a tmpfs is mounted nosuid,nodev,noexec with the exact size, mode and the target directory owner', () => {
    const f = facts('tmpfs_size_mode_owner_and_enospc');
    assert.equal(f['reply'], 'OK');
    assert.equal(f['path'], f['expectedPath']);
    assert.equal(f['mounts'], 1);
    assert.equal(f['fsType'], 'tmpfs');
    assert.equal(f['source'], 'hop3-tmpfs');
    for (const o of ['nosuid', 'nodev', 'noexec']) assert.ok((f['mountOptions'] as string[]).includes(o), o);
    assert.ok((f['superOptions'] as string[]).includes('size=256k'));
    assert.equal(f['mode'], 0o750);
    assert.equal(f['uid'], 1234);
    assert.equal(f['gid'], 2345);
  });

  test('writing past the tmpfs size fails with ENOSPC while a write within it succeeds', () => {
    const f = facts('tmpfs_size_mode_owner_and_enospc');
    assert.equal(f['writeSmall'], 'OK');
    assert.equal(f['writePastSize'], 'ENOSPC');
  });

  test('repeating an identical tmpfs request is idempotent and a different one is refused', () => {
    const f = facts('tmpfs_size_mode_owner_and_enospc');
    assert.equal(f['changed'], true);
    assert.equal(f['repeat'], 'OK');
    assert.equal(f['repeatChanged'], false);
    assert.equal(f['mountsAfterRepeat'], 1);
    assert.equal(f['differentSize'], 'E_MOUNT_EXISTS');
  });

  test('a read-only bind refuses writes with EROFS while the source stays writable', () => {
    const f = facts('bind_read_only_refuses_writes_while_source_stays_writable');
    assert.equal(f['reply'], 'OK');
    assert.equal(f['mounts'], 1);
    for (const o of ['ro', 'nosuid', 'nodev']) assert.ok((f['mountOptions'] as string[]).includes(o), o);
    assert.equal(f['readBack'], 'hi');
    assert.equal(f['writeTarget'], 'EROFS');
    assert.equal(f['writeSource'], 'OK');
    assert.equal(f['seenThroughTarget'], 'OK');
  });

  test('a second app binding the same source, or a directory inside it, gets E_BIND_CLAIMED', () => {
    const f = facts('bind_read_only_refuses_writes_while_source_stays_writable');
    assert.equal(f['claim'], 'E_BIND_CLAIMED');
    assert.equal(f['claimSub'], 'E_BIND_CLAIMED');
    assert.equal(f['apiMounted'], 0);
  });

  test('mount.list reports each recorded mount with whether it is mounted and its options', () => {
    const f = facts('bind_read_only_refuses_writes_while_source_stays_writable');
    const list = f['list'] as Array<{ record: { kind: string; target: string }; mounted: boolean; options: string[] }>;
    assert.deepEqual(list.map((m) => [m.record.kind, m.record.target, m.mounted]), [['tmpfs', 'cache', true], ['bind', 'shared', true]]);
    assert.ok(list[1]?.options.includes('ro'));
  });

  test('a read-write bind accepts writes that land in the source', () => {
    const f = facts('bind_read_write_allows_writes');
    assert.equal(f['reply'], 'OK');
    assert.ok((f['mountOptions'] as string[]).includes('rw'));
    assert.ok((f['mountOptions'] as string[]).includes('nosuid'));
    assert.equal(f['write'], 'OK');
    assert.equal(f['inSource'], 'x');
  });

  test('unmounting a busy mount fails with E_MOUNT_BUSY and keeps it; lazy=true detaches it', () => {
    const f = facts('busy_unmount_fails_then_lazy_succeeds');
    assert.equal(f['busy'], 'E_MOUNT_BUSY');
    assert.match(String(f['busyHint']), /lazy=true/);
    assert.equal(f['stillRecordedAndMounted'], true);
    assert.equal(f['lazy'], 'OK');
    assert.deepEqual(f['lazyResult'], { path: (f['lazyResult'] as { path: string }).path, was_mounted: true, lazy: true });
    assert.equal(f['mountsAfter'], 0);
    assert.equal(f['recordedAfter'], false);
    assert.equal(f['unmountAgain'], 'E_NOT_FOUND');
  });

  test('a target with a space is mounted, shows as \\040 in mountinfo, and unmounts cleanly', () => {
    const f = facts('plain_unmount_removes_mount_and_record');
    assert.equal(f['mount'], 'OK');
    assert.equal(f['before'], 1);
    assert.equal(f['escapedInFile'], true);
    assert.equal(f['unmount'], 'OK');
    assert.deepEqual((f['result'] as { lazy: boolean; was_mounted: boolean }).lazy, false);
    assert.equal(f['after'], 0);
  });

  test('reconcile re-mounts a recorded mount removed by hand, removes duplicates and unrecorded mounts under src/', () => {
    const f = facts('reconcile_remounts_recorded_and_removes_unrecorded');
    assert.deepEqual(f['errors'], []);
    const changes = f['changes'] as string[];
    assert.ok(changes.some((c) => /mounted tmpfs web:recon/.test(c)), changes.join('\n'));
    assert.ok(changes.some((c) => /duplicate.*web:dup/.test(c)), changes.join('\n'));
    assert.ok(changes.some((c) => /unrecorded mount .*\/apps\/other\/src\/stray/.test(c)), changes.join('\n'));
    assert.deepEqual(f['recon'], ['hop3-tmpfs']);
    assert.equal(f['dup'], 1);
    assert.ok((f['dupOptions'] as string[]).includes('noexec'));
    assert.equal(f['stray'], 0);
    assert.equal(f['health'], 5);
  });

  test('reconcile re-asserts a read-only bind that was remounted read-write by hand', () => {
    const f = facts('reconcile_remounts_recorded_and_removes_unrecorded');
    assert.ok((f['bindDrifted'] as string[]).includes('rw'));
    assert.ok((f['changes'] as string[]).some((c) => /re-asserted bind web:shared/.test(c)));
    for (const o of ['ro', 'nosuid', 'nodev']) assert.ok((f['bindAfter'] as string[]).includes(o), o);
  });

  test('reconcile never touches mounts outside <APP_ROOT>/<app>/src/ and converges in one pass', () => {
    const f = facts('reconcile_remounts_recorded_and_removes_unrecorded');
    assert.equal(f['outside'], 1);
    assert.equal(f['notSrc'], 1);
    assert.deepEqual(f['secondChanges'], []);
    assert.deepEqual(f['secondErrors'], []);
  });

  test('a symlink anywhere in the target chain is refused and nothing is mounted where it points', () => {
    const f = facts('symlinked_target_component_is_refused');
    assert.equal(f['mid'], 'E_PATH_SYMLINK');
    assert.equal(f['last'], 'E_PATH_SYMLINK');
    assert.equal(f['bindVia'], 'E_PATH_SYMLINK');
    assert.equal(f['mountedElsewhere'], 0);
  });

  test('a symlink swapped in after the check cannot redirect the mount; the attempt is undone and not recorded', () => {
    const f = facts('symlink_swapped_in_after_the_check_cannot_redirect_the_mount');
    assert.equal(f['code'], 'E_MOUNT_VERIFY_FAILED');
    assert.match(String(f['message']), /moved/);
    assert.equal(f['victimMounts'], 0);
    assert.equal(f['movedMounts'], 0);
    assert.equal(f['recorded'], false);
  });

  test('mounting over an unrecorded mount, a file, a missing directory or a nested target is refused', () => {
    const f = facts('existing_mountpoint_and_bad_targets_are_refused');
    assert.equal(f['over'], 'E_MOUNT_EXISTS');
    assert.equal(f['file'], 'E_MOUNT_TARGET_INVALID');
    assert.equal(f['missing'], 'E_MOUNT_TARGET_INVALID');
    assert.equal(f['notRecorded'], 'E_NOT_FOUND');
    assert.equal(f['outer'], 'OK');
    assert.equal(f['nested'], 'E_MOUNT_OVERLAP');
    assert.ok(!(f['recorded'] as string[]).includes('pre'));
    assert.ok(!(f['recorded'] as string[]).includes('nest'));
  });

  test('concurrent identical requests make exactly one mount, and conflicting ones one mount plus E_MOUNT_EXISTS', () => {
    const f = facts('concurrent_requests_make_one_mount');
    assert.deepEqual(f['codes'], ['OK', 'OK']);
    assert.deepEqual(f['changed'], [false, true]);
    assert.equal(f['mounts'], 1);
    assert.deepEqual(f['missingDir'], ['E_MOUNT_TARGET_INVALID', 'E_MOUNT_TARGET_INVALID']);
    assert.deepEqual(f['conflicting'], ['E_MOUNT_EXISTS', 'OK']);
    assert.equal(f['dMounts'], 1);
  });

  test('mount, bind and unmount each complete in well under a second (figures printed)', (t) => {
    const f = facts('latency_of_mount_and_unmount');
    t.diagnostic(JSON.stringify(f));
    for (const k of ['tmpfs_mount_ms_p50', 'unmount_ms_p50', 'bind_ro_mount_ms_p50']) {
      assert.ok(typeof f[k] === 'number' && (f[k] as number) > 0 && (f[k] as number) < 1000, `${k}=${String(f[k])}`);
    }
  });

  test('the host mount table never sees any of these mounts', () => {
    const host = readFileSync('/proc/self/mountinfo', 'utf8');
    assert.ok(workdir !== '' && !host.includes(workdir), 'a test mount leaked into the host namespace');
    assert.ok(outcomes.size >= 11, `expected every scenario to report; runner said:\n${runnerOutput}`);
  });
});

test('the namespace runner refuses to run in the host namespaces and mounts nothing', () => {
  const workdir = realpathSync(mkdtempSync(join(tmpdir(), 'hop3-mount-refuse-')));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', RUNNER, workdir], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        HOP3_TEST_HOST_MNT_NS: readlinkSync('/proc/self/ns/mnt'),
        HOP3_TEST_HOST_NET_NS: readlinkSync('/proc/self/ns/net'),
      },
    });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, /refusing to run outside a private mount\+network namespace/);
    assert.equal(r.stdout, '');
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(workdir));
  } finally {
    rmSync(workdir, { recursive: true, force: true });
  }
});
