import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { MAX_MOUNTS_PER_APP, type MountRecord } from '../../shared-protocol/ops/mount.ts';
import { parseMountinfo } from '../../rootd/ops/mount-mountinfo.ts';
import {
  admitRecord,
  assertSourceOutsideAppRoot,
  mountMismatches,
  normalizeTarget,
  recordPath,
  unownedMounts,
} from '../../rootd/ops/mount-policy.ts';

const tmpfs = (app: string, target: string, size_bytes = 65536, mode = 0o755): MountRecord => ({ kind: 'tmpfs', app, target, size_bytes, mode });
const bind = (app: string, target: string, source: string, read_only = true): MountRecord => ({ kind: 'bind', app, target, source, read_only });

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'OK';
  } catch (e) {
    return isHop3Error(e) ? e.code : `raw:${(e as Error).message}`;
  }
}

test('targets are normalized to clean segments', () => {
  assert.equal(normalizeTarget('a//b/./c/'), 'a/b/c');
  assert.equal(normalizeTarget('cache'), 'cache');
});

test('the mount point of a record is <APP_ROOT>/<app>/src/<target>', () => {
  assert.equal(recordPath('/srv/apps', tmpfs('web', 'data/cache')), '/srv/apps/web/src/data/cache');
});

const existing: MountRecord[] = [
  tmpfs('web', 'cache'),
  tmpfs('web', 'data/tmp'),
  bind('web', 'shared', '/srv/data/shared'),
  bind('api', 'media', '/srv/media'),
];

const admissions: Array<[string, MountRecord, string]> = [
  ['an identical record', tmpfs('web', 'cache'), 'present'],
  ['a new sibling target', tmpfs('web', 'cache2'), 'new'],
  ['a sibling whose name extends another (cache vs cachex)', tmpfs('web', 'cachex'), 'new'],
  ['the same target with another size', tmpfs('web', 'cache', 131072), 'E_MOUNT_EXISTS'],
  ['the same target with another mode', tmpfs('web', 'cache', 65536, 0o700), 'E_MOUNT_EXISTS'],
  ['the same target as a bind', bind('web', 'cache', '/srv/other'), 'E_MOUNT_EXISTS'],
  ['a target inside a recorded mount', tmpfs('web', 'cache/inner'), 'E_MOUNT_OVERLAP'],
  ['a target above a recorded mount', tmpfs('web', 'data'), 'E_MOUNT_OVERLAP'],
  ['the same target in another app', tmpfs('api', 'cache'), 'new'],
  ['a second app binding the same source', bind('api', 'shared', '/srv/data/shared'), 'E_BIND_CLAIMED'],
  ['a second app binding a directory inside a claimed source', bind('other', 'x', '/srv/data/shared/sub'), 'E_BIND_CLAIMED'],
  ['a second app binding a directory above a claimed source', bind('other', 'x', '/srv/data'), 'E_BIND_CLAIMED'],
  ['a second app binding a sibling source with a common prefix', bind('other', 'x', '/srv/data/shared2'), 'new'],
  ['the same app binding its own source at a second target', bind('web', 'shared2', '/srv/data/shared'), 'new'],
];
for (const [what, rec, want] of admissions) {
  test(`admitting ${what} gives ${want}`, () => {
    let got: string;
    try {
      got = admitRecord(existing, rec);
    } catch (e) {
      got = isHop3Error(e) ? e.code : 'raw';
    }
    assert.equal(got, want);
  });
}

test(`an app may record at most ${MAX_MOUNTS_PER_APP} mounts`, () => {
  const many = Array.from({ length: MAX_MOUNTS_PER_APP }, (_, i) => tmpfs('web', `t${i}`));
  assert.equal(codeOf(() => admitRecord(many, tmpfs('web', 'one-more'))), 'E_MOUNT_LIMIT');
  assert.equal(codeOf(() => admitRecord(many, tmpfs('api', 'fine'))), 'OK');
});

const appRootOverlaps: Array<[string, string]> = [
  ['the app root itself', '/srv/apps'],
  ['a directory inside the app root', '/srv/apps/web/src'],
  ['a directory containing the app root', '/srv'],
  ['the filesystem root', '/'],
];
for (const [what, source] of appRootOverlaps) {
  test(`a bind source that is ${what} is refused with E_BIND_NOT_ALLOWED`, () => {
    assert.equal(codeOf(() => assertSourceOutsideAppRoot(source, '/srv/apps')), 'E_BIND_NOT_ALLOWED');
  });
}
test('a bind source beside the app root is accepted', () => {
  assert.equal(codeOf(() => assertSourceOutsideAppRoot('/srv/appsdata', '/srv/apps')), 'OK');
});

const entry = (line: string) => parseMountinfo(line)[0]!;

test('a tmpfs mounted as recorded shows no mismatch', () => {
  const e = entry('60 24 0:40 / /p rw,nosuid,nodev,noexec,relatime - tmpfs hop3-tmpfs rw,size=64k,mode=755');
  assert.deepEqual(mountMismatches(tmpfs('web', 'p'), e), []);
});

test('a tmpfs that lost a flag or has another size is reported with each difference', () => {
  const e = entry('60 24 0:40 / /p rw,nosuid,relatime - tmpfs hop3-tmpfs rw,size=128k');
  assert.deepEqual(mountMismatches(tmpfs('web', 'p'), e), ['missing nodev', 'missing noexec', 'size is 131072, not 65536']);
});

test('something that is not a tmpfs at a tmpfs record is reported as another fstype', () => {
  const e = entry('60 24 254:0 /x /p rw,nosuid,nodev,noexec - ext4 /dev/vda rw');
  assert.match(mountMismatches(tmpfs('web', 'p'), e)[0] ?? '', /^fstype is ext4/);
});

test('a bind recorded read-only but mounted read-write is reported', () => {
  const e = entry('61 24 254:0 /srv/x /p rw,nosuid,nodev,relatime - ext4 /dev/vda rw');
  assert.deepEqual(mountMismatches(bind('web', 'p', '/srv/x', true), e), ['not ro']);
  assert.deepEqual(mountMismatches(bind('web', 'p', '/srv/x', false), e), []);
});

const MI = [
  '24 1 254:0 / / rw - ext4 /dev/vda rw',
  '50 24 0:40 / /srv/apps/web/src/cache rw,nosuid,nodev,noexec - tmpfs hop3-tmpfs rw,size=64k',
  '51 24 0:41 / /srv/apps/web/src/stray rw - tmpfs stray rw',
  '52 51 0:42 / /srv/apps/web/src/stray rw - tmpfs stray2 rw',
  '53 24 0:43 / /srv/apps/web/src/deep/er/mount rw - tmpfs deep rw',
  '54 24 0:44 / /srv/apps/web/other rw - tmpfs notsrc rw',
  '55 24 0:45 / /srv/apps/web/src rw - tmpfs srcitself rw',
  '56 24 0:46 / /srv/apps/Bad_Name/src/x rw - tmpfs badapp rw',
  '57 24 0:47 / /srv/appsx/web/src/x rw - tmpfs prefix rw',
  '58 24 0:48 / /srv/apps rw - tmpfs approot rw',
  '59 24 0:49 / /tmp/elsewhere rw - tmpfs elsewhere rw',
  '60 24 0:50 / /srv/apps/api/src/my\\040data rw - tmpfs spaced rw',
].join('\n');

test('unrecorded mounts are those strictly under <APP_ROOT>/<valid app>/src/, deepest first, with stack counts', () => {
  const got = unownedMounts(parseMountinfo(MI), [tmpfs('web', 'cache')], '/srv/apps');
  assert.deepEqual(
    got.map((u) => [u.path, u.app, u.segments.join('/'), u.count]),
    [
      ['/srv/apps/web/src/deep/er/mount', 'web', 'deep/er/mount', 1],
      ['/srv/apps/api/src/my data', 'api', 'my data', 1],
      ['/srv/apps/web/src/stray', 'web', 'stray', 2],
    ],
  );
});

test('with every mount under src/ recorded, nothing is unowned', () => {
  const recs = [tmpfs('web', 'cache'), tmpfs('web', 'stray'), tmpfs('web', 'deep/er/mount'), tmpfs('api', 'my data')];
  assert.deepEqual(unownedMounts(parseMountinfo(MI), recs, '/srv/apps'), []);
});
