import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeMountinfoField,
  isStrictlyUnder,
  MountinfoParseError,
  mountsAt,
  parseMountinfo,
  tmpfsSizeBytes,
} from '../../rootd/ops/mount-mountinfo.ts';

/** Shaped like a real /proc/self/mountinfo (lines from this machine and proc(5)), with escapes. */
const FIXTURE = [
  '24 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard',
  '25 24 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw',
  '36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue',
  '60 24 0:40 / /srv/apps/web/src/my\\040cache rw,nosuid,nodev,noexec,relatime - tmpfs hop3-tmpfs rw,size=256k,mode=750,uid=1234,gid=2345',
  '61 24 254:0 /srv/data/shared /srv/apps/web/src/shared ro,nosuid,nodev,relatime - ext4 /dev/vda rw,discard',
  '62 24 0:41 / /tmp/tab\\011and\\012newline\\134back rw,relatime - tmpfs weird\\040source rw,size=64k',
].join('\n');

test('a mountinfo file parses into one entry per line with every field', () => {
  const e = parseMountinfo(FIXTURE + '\n');
  assert.equal(e.length, 6);
  assert.deepEqual(e[2], {
    id: 36,
    parentId: 35,
    majorMinor: '98:0',
    root: '/mnt1',
    mountPoint: '/mnt/parent',
    mountOptions: ['rw', 'noatime'],
    optionalFields: ['master:1'],
    fsType: 'ext3',
    source: '/dev/root',
    superOptions: ['rw', 'errors=continue'],
  });
});

test('escaped spaces (\\040) in a mount point are decoded', () => {
  const e = parseMountinfo(FIXTURE).find((x) => x.id === 60);
  assert.equal(e?.mountPoint, '/srv/apps/web/src/my cache');
  assert.deepEqual(e?.optionalFields, []);
  assert.deepEqual(e?.mountOptions, ['rw', 'nosuid', 'nodev', 'noexec', 'relatime']);
});

test('tab, newline and backslash escapes are decoded in mount points and sources', () => {
  const e = parseMountinfo(FIXTURE).find((x) => x.id === 62);
  assert.equal(e?.mountPoint, '/tmp/tab\tand\nnewline\\back');
  assert.equal(e?.source, 'weird source');
});

test('a bind of a subdirectory keeps its root path', () => {
  const e = parseMountinfo(FIXTURE).find((x) => x.id === 61);
  assert.equal(e?.root, '/srv/data/shared');
  assert.deepEqual(e?.mountOptions, ['ro', 'nosuid', 'nodev', 'relatime']);
});

test('several optional fields before the separator are all kept', () => {
  const [e] = parseMountinfo('70 24 0:50 / /x rw shared:5 master:3 propagate_from:2 - tmpfs t rw');
  assert.deepEqual(e?.optionalFields, ['shared:5', 'master:3', 'propagate_from:2']);
  assert.equal(e?.fsType, 'tmpfs');
});

test('decoding leaves text without escapes alone and decodes only three-digit octal', () => {
  assert.equal(decodeMountinfoField('/plain/path'), '/plain/path');
  assert.equal(decodeMountinfoField('a\\040b\\040c'), 'a b c');
  assert.equal(decodeMountinfoField('a\\04b'), 'a\\04b');
});

const malformed: Array<[string, string]> = [
  ['too few fields', '24 1 254:0 / /'],
  ['no separator', '24 1 254:0 / / rw shared:1 ext4 /dev/vda rw x'],
  ['a non-numeric id', 'x 1 254:0 / / rw - ext4 /dev/vda rw'],
  ['a bad major:minor', '24 1 254 / / rw - ext4 /dev/vda rw'],
  ['nothing after the separator', '24 1 254:0 / / rw a b c -'],
];
for (const [what, line] of malformed) {
  test(`a mountinfo line with ${what} is rejected rather than guessed`, () => {
    assert.throws(() => parseMountinfo(line), MountinfoParseError);
  });
}

test('stacked mounts at one point are ordered bottom first, whatever the file order', () => {
  const text = [
    '24 1 254:0 / / rw - ext4 /dev/vda rw',
    '82 81 0:52 / /a/b rw - tmpfs top rw',
    '80 24 0:50 / /a/b rw - tmpfs bottom rw',
    '81 80 0:51 / /a/b rw - tmpfs middle rw',
    '90 24 0:53 / /a/bc rw - tmpfs other rw',
  ].join('\n');
  assert.deepEqual(mountsAt(parseMountinfo(text), '/a/b').map((e) => e.source), ['bottom', 'middle', 'top']);
  assert.deepEqual(mountsAt(parseMountinfo(text), '/a'), []);
});

test('tmpfs sizes are read back in bytes from k, m and g suffixes', () => {
  assert.equal(tmpfsSizeBytes(['rw', 'size=256k']), 262144);
  assert.equal(tmpfsSizeBytes(['size=2m']), 2 * 1024 * 1024);
  assert.equal(tmpfsSizeBytes(['size=1g']), 1024 ** 3);
  assert.equal(tmpfsSizeBytes(['size=4096']), 4096);
  assert.equal(tmpfsSizeBytes(['rw']), undefined);
  assert.equal(tmpfsSizeBytes(['size=50%']), undefined);
});

test('"strictly under" needs a path separator boundary and excludes the directory itself', () => {
  assert.equal(isStrictlyUnder('/srv/apps/web', '/srv/apps'), true);
  assert.equal(isStrictlyUnder('/srv/apps', '/srv/apps'), false);
  assert.equal(isStrictlyUnder('/srv/appsx/web', '/srv/apps'), false);
  assert.equal(isStrictlyUnder('/srv/apps/web', '/srv/apps/'), true);
});
