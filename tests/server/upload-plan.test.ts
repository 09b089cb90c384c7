import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { DEFAULT_UPLOAD_LIMITS, resolveUploadLimits } from '../../shared-protocol/upload/limits.ts';
import { dirMode, fileMode, UploadPlanner, type EntryHeader } from '../../shared-protocol/upload/plan.ts';
import { UPLOAD_ERRORS, uploadHttpStatus, type UploadErrorCode } from '../../shared-protocol/upload/errors.ts';

const f = (path: string, extra: Partial<EntryHeader> = {}): EntryHeader => ({ path, type: 'File', mode: 0o644, size: 1, ...extra });
const d = (path: string, extra: Partial<EntryHeader> = {}): EntryHeader => ({ path, type: 'Directory', mode: 0o755, size: 0, ...extra });

/** Admit all headers; the last one must fail with `code`. */
function refusedWith(headers: EntryHeader[], code: string, limits = DEFAULT_UPLOAD_LIMITS): void {
  const p = new UploadPlanner(limits);
  const last = headers.pop();
  for (const h of headers) p.admit(h);
  assert.ok(last !== undefined);
  assert.throws(
    () => p.admit(last),
    (e: unknown) => isHop3Error(e) && e.code === code && (e.hint ?? '').length > 0,
  );
}

const bad: Array<[string, EntryHeader[], string]> = [
  ['a symbolic link', [f('a'), { path: 'l', type: 'SymbolicLink', mode: 0o777, size: 0 }], 'E_UPLOAD_SYMLINK'],
  ['a hard link', [{ path: 'passwd', type: 'Link', mode: 0o644, size: 0 }], 'E_UPLOAD_HARDLINK'],
  ['a character device', [{ path: 'c', type: 'CharacterDevice', mode: 0o666, size: 0 }], 'E_UPLOAD_DEVICE'],
  ['a block device', [{ path: 'b', type: 'BlockDevice', mode: 0o660, size: 0 }], 'E_UPLOAD_DEVICE'],
  ['a FIFO', [{ path: 'p', type: 'FIFO', mode: 0o644, size: 0 }], 'E_UPLOAD_FIFO'],
  ['a contiguous file', [{ path: 'c', type: 'ContiguousFile', mode: 0o644, size: 0 }], 'E_UPLOAD_ENTRY_TYPE'],
  ['a GNU dump dir', [{ path: 'g/', type: 'GNUDumpDir', mode: 0o755, size: 0 }], 'E_UPLOAD_ENTRY_TYPE'],
  ['a file named "./"', [f('./')], 'E_UPLOAD_BAD_NAME'],
  ['a setuid file', [f('su', { mode: 0o4755 })], 'E_UPLOAD_SETID_MODE'],
  ['a setgid file', [f('sg', { mode: 0o2711 })], 'E_UPLOAD_SETID_MODE'],
  ['a case collision between files', [f('A.txt'), f('a.txt')], 'E_UPLOAD_CASE_COLLISION'],
  ['a case collision between a directory and a parent', [d('Lib/'), f('lib/x.js')], 'E_UPLOAD_CASE_COLLISION'],
  ['a case collision between implicit parents', [f('Lib/x.js'), f('lib/y.js')], 'E_UPLOAD_CASE_COLLISION'],
  ['a duplicate file', [f('a'), f('a')], 'E_UPLOAD_DUPLICATE_ENTRY'],
  ['a duplicate file spelled with "./"', [f('a'), f('./a')], 'E_UPLOAD_DUPLICATE_ENTRY'],
  ['a duplicate explicit directory', [d('a/'), d('a/')], 'E_UPLOAD_DUPLICATE_ENTRY'],
  ['a file under a file', [f('a'), f('a/b')], 'E_UPLOAD_PATH_CONFLICT'],
  ['a file over an implicit directory', [f('a/b'), f('a')], 'E_UPLOAD_PATH_CONFLICT'],
  ['a directory over a file', [f('a'), d('a/')], 'E_UPLOAD_PATH_CONFLICT'],
];
for (const [what, headers, code] of bad) {
  test(`the planner refuses ${what} with ${code}`, () => refusedWith(headers, code));
}

test('the entry limit counts directories and the archive root', () => {
  const limits = resolveUploadLimits({ maxEntries: 3 });
  refusedWith([d('./'), d('a/'), f('a/x'), f('a/y')], 'E_UPLOAD_TOO_MANY_ENTRIES', limits);
});

test('the uncompressed limit applies to the running sum of declared sizes', () => {
  const limits = resolveUploadLimits({ maxUncompressedBytes: 100 });
  refusedWith([f('a', { size: 60 }), f('b', { size: 40 }), f('c', { size: 1 })], 'E_UPLOAD_TOO_LARGE_UNCOMPRESSED', limits);
});

test('missing parents are created once, in order, before the file', () => {
  const p = new UploadPlanner(DEFAULT_UPLOAD_LIMITS);
  assert.deepEqual(p.admit(f('a/b/c.txt', { mode: 0o600 })), [
    { kind: 'mkdir', path: 'a', mode: 0o755 },
    { kind: 'mkdir', path: 'a/b', mode: 0o755 },
    { kind: 'file', path: 'a/b/c.txt', mode: 0o600, size: 1 },
  ]);
  assert.deepEqual(p.admit(f('a/b/d.txt')), [{ kind: 'file', path: 'a/b/d.txt', mode: 0o644, size: 1 }]);
});

test('a directory entry after its implicit creation only sets its mode', () => {
  const p = new UploadPlanner(DEFAULT_UPLOAD_LIMITS);
  p.admit(f('a/x'));
  assert.deepEqual(p.admit(d('a/', { mode: 0o2775 })), [{ kind: 'chmod', path: 'a', mode: 0o755 }]);
});

test('the archive root entry creates nothing', () => {
  assert.deepEqual(new UploadPlanner(DEFAULT_UPLOAD_LIMITS).admit(d('./')), []);
});

const modes: Array<[number, number, number]> = [
  [0o644, 0o644, 0o744],
  [0o755, 0o755, 0o755],
  [0o777, 0o755, 0o755],
  [0o666, 0o644, 0o744],
  [0o1777, 0o755, 0o755],
  [0o000, 0o600, 0o700],
  [0o444, 0o644, 0o744],
  [0o2775, 0o755, 0o755],
];
for (const [input, file, dir] of modes) {
  test(`mode ${input.toString(8)} becomes ${file.toString(8)} on a file and ${dir.toString(8)} on a directory`, () => {
    assert.equal(fileMode(input), file);
    assert.equal(dirMode(input), dir);
  });
}

test('upload refusals map to 413 for size limits, 409 for an existing release, 500 for server disk trouble and 400 otherwise', () => {
  const statuses = Object.fromEntries(Object.keys(UPLOAD_ERRORS).map((c) => [c, uploadHttpStatus(c as UploadErrorCode)]));
  assert.equal(statuses['E_UPLOAD_TOO_LARGE'], 413);
  assert.equal(statuses['E_UPLOAD_TOO_LARGE_UNCOMPRESSED'], 413);
  assert.equal(statuses['E_UPLOAD_TOO_MANY_ENTRIES'], 413);
  assert.equal(statuses['E_UPLOAD_RELEASE_EXISTS'], 409);
  assert.equal(statuses['E_UPLOAD_WRITE'], 500);
  assert.equal(statuses['E_UPLOAD_SYMLINK'], 400);
  assert.equal(statuses['E_UPLOAD_PATH_TRAVERSAL'], 400);
});
