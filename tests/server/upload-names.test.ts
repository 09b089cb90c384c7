import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { DEFAULT_UPLOAD_LIMITS, resolveUploadLimits } from '../../shared-protocol/upload/limits.ts';
import { foldKey, parseEntryName } from '../../shared-protocol/upload/names.ts';

const L = DEFAULT_UPLOAD_LIMITS;

const bad: Array<[string, string, string]> = [
  ['a NUL inside a name', 'a\0b', 'E_UPLOAD_BAD_NAME'],
  ['a backslash separator', 'a\\b', 'E_UPLOAD_BAD_NAME'],
  ['a backslash traversal', '..\\..\\etc\\passwd', 'E_UPLOAD_BAD_NAME'],
  ['a newline', 'a\nb', 'E_UPLOAD_BAD_NAME'],
  ['an ANSI escape', '\u001b]0;pwned\u0007', 'E_UPLOAD_BAD_NAME'],
  ['a DEL', 'a\u007f', 'E_UPLOAD_BAD_NAME'],
  ['a C1 control', 'a\u009bb', 'E_UPLOAD_BAD_NAME'],
  ['invalid UTF-8 (decoded as U+FFFD)', 'caf\uFFFD', 'E_UPLOAD_BAD_NAME'],
  ['an empty component', 'a//b', 'E_UPLOAD_BAD_NAME'],
  ['a "." component inside', 'a/./b', 'E_UPLOAD_BAD_NAME'],
  ['a doubled "./" prefix', '././a', 'E_UPLOAD_BAD_NAME'],
  ['an absolute name', '/etc/passwd', 'E_UPLOAD_ABSOLUTE_PATH'],
  ['the root', '/', 'E_UPLOAD_ABSOLUTE_PATH'],
  ['a leading ".."', '../x', 'E_UPLOAD_PATH_TRAVERSAL'],
  ['a ".." after a component', 'a/../../x', 'E_UPLOAD_PATH_TRAVERSAL'],
  ['a bare ".."', '..', 'E_UPLOAD_PATH_TRAVERSAL'],
  ['a trailing ".."', 'a/..', 'E_UPLOAD_PATH_TRAVERSAL'],
  ['"./.." ', './../x', 'E_UPLOAD_PATH_TRAVERSAL'],
  ['a 1025-byte name', `${'a/'.repeat(400)}${'b'.repeat(225)}`, 'E_UPLOAD_NAME_TOO_LONG'],
  ['a 256-byte component', 'x'.repeat(256), 'E_UPLOAD_NAME_TOO_LONG'],
  ['a 128-char component of 2-byte characters', 'é'.repeat(128), 'E_UPLOAD_NAME_TOO_LONG'],
  ['33 levels', Array.from({ length: 33 }, () => 'd').join('/'), 'E_UPLOAD_TOO_DEEP'],
];

for (const [what, raw, code] of bad) {
  test(`an entry name with ${what} is refused with ${code}`, () => {
    assert.throws(
      () => parseEntryName(raw, L),
      (e: unknown) => isHop3Error(e) && e.code === code,
    );
  });
}

const good: Array<[string, string, string | null]> = [
  ['a plain file', 'app.js', 'app.js'],
  ['a nested file', 'src/lib/x.ts', 'src/lib/x.ts'],
  ['a directory with a trailing slash', 'src/', 'src'],
  ['a GNU tar "./" prefix', './src/app.js', 'src/app.js'],
  ['the archive root "./"', './', null],
  ['the archive root "."', '.', null],
  ['dots inside names', '..hidden/.env.example', '..hidden/.env.example'],
  ['spaces and unicode', 'docs/Café menu.md', 'docs/Café menu.md'],
  ['exactly 32 levels', Array.from({ length: 32 }, () => 'd').join('/'), Array.from({ length: 32 }, () => 'd').join('/')],
  ['a 255-byte component', 'x'.repeat(255), 'x'.repeat(255)],
];

for (const [what, raw, expected] of good) {
  test(`an entry name with ${what} is accepted as ${JSON.stringify(expected)}`, () => {
    assert.equal(parseEntryName(raw, L)?.path ?? null, expected);
  });
}

test('the depth limit follows the configured limits', () => {
  const limits = resolveUploadLimits({ maxDepth: 2 });
  assert.equal(parseEntryName('a/b', limits)?.path, 'a/b');
  assert.throws(() => parseEntryName('a/b/c', limits), (e: unknown) => isHop3Error(e) && e.code === 'E_UPLOAD_TOO_DEEP');
});

test('case folding equates names that differ by case or by Unicode normalization only', () => {
  assert.equal(foldKey('README.md'), foldKey('readme.MD'));
  assert.equal(foldKey('caf\u00e9'), foldKey('cafe\u0301'));
  assert.notEqual(foldKey('a.txt'), foldKey('a.txt '));
});

const badLimits: Array<[string, Record<string, number>]> = [
  ['zero entries', { maxEntries: 0 }],
  ['a negative size', { maxCompressedBytes: -1 }],
  ['a fractional depth', { maxDepth: 2.5 }],
  ['NaN', { maxNameBytes: Number.NaN }],
];
for (const [what, overrides] of badLimits) {
  test(`upload limits with ${what} are rejected at configuration time`, () => {
    assert.throws(() => resolveUploadLimits(overrides), RangeError);
  });
}
