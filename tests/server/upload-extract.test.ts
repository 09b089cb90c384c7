import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { extractUpload, type UploadProgress } from '../../server/deploy/upload.ts';
import { tgzOf } from '../fixtures/uploads/corpus.ts';
import { expectRefusal, listing, sandbox } from './upload-helpers.ts';

const MiB = 1024 * 1024;

test('a plain archive extracts into a new 0750 release dir with its contents and sanitized modes', async () => {
  const box = await sandbox();
  try {
    const rel = box.release();
    const result = await extractUpload(
      Readable.from([
        tgzOf([
          { path: 'app.js', data: 'console.log(1)\n' },
          { path: 'bin/', mode: 0o1777 },
          { path: 'bin/run', mode: 0o775, data: '#!/bin/sh\n' },
          { path: 'shared.txt', mode: 0o666, data: 'x' },
          { path: 'private.txt', mode: 0o400, data: 'y' },
        ]),
      ]),
      rel,
    );
    assert.equal(statSync(rel).mode & 0o7777, 0o750);
    assert.deepEqual(await listing(rel), [
      'f 644 15 app.js',
      'd 755 0 bin',
      'f 755 10 bin/run',
      'f 600 1 private.txt',
      'f 644 1 shared.txt',
    ]);
    assert.equal(await readFile(join(rel, 'app.js'), 'utf8'), 'console.log(1)\n');
    assert.equal(result.entries, 5);
    assert.equal(result.files, 4);
    assert.equal(result.writtenBytes, 27);
  } finally {
    await box.cleanup();
  }
});

test('an archive made by GNU tar with "./" names extracts the same tree', async (t) => {
  const box = await sandbox();
  try {
    const src = join(box.root, 'src');
    await mkdir(join(src, 'lib'), { recursive: true });
    await writeFile(join(src, 'lib', 'a.js'), 'a');
    await writeFile(join(src, 'README'), 'r');
    let tgz: Buffer;
    try {
      tgz = execFileSync('tar', ['-C', src, '-czf', '-', '.']);
    } catch {
      t.skip('no tar binary');
      return;
    }
    const rel = box.release();
    await extractUpload(Readable.from([tgz]), rel);
    assert.deepEqual(await listing(rel), ['f 644 1 README', 'd 755 0 lib', 'f 644 1 lib/a.js']);
  } finally {
    await box.cleanup();
  }
});

test('long and non-ASCII names carried in pax records extract under their full names', async () => {
  const box = await sandbox();
  try {
    const long = `${'deep/'.repeat(30)}${'n'.repeat(200)}.txt`;
    const rel = box.release();
    await extractUpload(Readable.from([tgzOf([{ path: long, data: 'L' }, { path: 'menu/café ☕.md', data: 'C' }])]), rel);
    assert.equal(await readFile(join(rel, long), 'utf8'), 'L');
    assert.equal(await readFile(join(rel, 'menu/café ☕.md'), 'utf8'), 'C');
  } finally {
    await box.cleanup();
  }
});

test('extraction refuses a release dir that already exists and leaves it untouched', async () => {
  const box = await sandbox();
  try {
    const rel = box.release();
    await mkdir(rel);
    await writeFile(join(rel, 'previous.txt'), 'keep');
    await assert.rejects(extractUpload(Readable.from([tgzOf([{ path: 'a', data: 'x' }])]), rel), { code: 'E_UPLOAD_RELEASE_EXISTS' });
    assert.equal(await readFile(join(rel, 'previous.txt'), 'utf8'), 'keep');
  } finally {
    await box.cleanup();
  }
});

test('extraction into a dir whose parent is missing fails with E_UPLOAD_RELEASE_DIR', async () => {
  const box = await sandbox();
  try {
    await assert.rejects(extractUpload(Readable.from([tgzOf([{ path: 'a', data: 'x' }])]), join(box.root, 'nope', 'r1')), {
      code: 'E_UPLOAD_RELEASE_DIR',
    });
  } finally {
    await box.cleanup();
  }
});

test('a client that disconnects mid-upload gets E_UPLOAD_STREAM and the partial release is removed', async () => {
  const box = await sandbox();
  try {
    const tgz = tgzOf([{ path: 'a.bin', data: randomBytes(256 * 1024) }, { path: 'b.txt', data: 'b' }]);
    const source = new PassThrough();
    const rel = box.release();
    const done = expectRefusal(source, rel, 'E_UPLOAD_STREAM');
    source.write(tgz.subarray(0, tgz.length / 2));
    setTimeout(() => source.destroy(new Error('socket hang up')), 50);
    await done;
  } finally {
    await box.cleanup();
  }
});

test('an aborted upload is refused with E_UPLOAD_ABORTED and the partial release is removed', async () => {
  const box = await sandbox();
  try {
    const tgz = tgzOf([{ path: 'a.bin', data: randomBytes(256 * 1024) }]);
    const source = new PassThrough();
    const ac = new AbortController();
    const rel = box.release();
    const done = expectRefusal(source, rel, 'E_UPLOAD_ABORTED', { signal: ac.signal });
    source.write(tgz.subarray(0, tgz.length / 2));
    setTimeout(() => ac.abort(), 50);
    await done;
  } finally {
    await box.cleanup();
  }
});

test('progress reports grow monotonically and end with the totals; a 64 MiB upload extracts byte-exact', async (t) => {
  const box = await sandbox();
  try {
    const big = randomBytes(64 * MiB);
    const files = Array.from({ length: 500 }, (_, i) => ({ path: `src/m${i % 10}/f${i}.js`, data: `module.exports = ${i};\n` }));
    const tgz = tgzOf([{ path: 'data/big.bin', data: big }, ...files]);
    const seen: UploadProgress[] = [];
    const rel = box.release();
    const chunks = Array.from({ length: Math.ceil(tgz.length / 65536) }, (_, i) => tgz.subarray(i * 65536, (i + 1) * 65536));
    const started = performance.now();
    const result = await extractUpload(Readable.from(chunks), rel, { onProgress: (p) => seen.push(p) });
    const seconds = (performance.now() - started) / 1000;
    t.diagnostic(`extract throughput: ${(tgz.length / MiB / seconds).toFixed(0)} MiB/s compressed, ${(result.writtenBytes / MiB / seconds).toFixed(0)} MiB/s written, ${result.files} files in ${seconds.toFixed(2)} s`);
    for (let i = 1; i < seen.length; i++) {
      const [a, b] = [seen[i - 1], seen[i]];
      assert.ok(a !== undefined && b !== undefined);
      assert.ok(b.receivedBytes >= a.receivedBytes && b.expandedBytes >= a.expandedBytes && b.writtenBytes >= a.writtenBytes && b.entries >= a.entries);
    }
    assert.ok(seen.length > 10);
    assert.deepEqual(seen.at(-1), {
      receivedBytes: result.receivedBytes,
      expandedBytes: result.expandedBytes,
      writtenBytes: result.writtenBytes,
      entries: result.entries,
    });
    assert.equal(result.receivedBytes, tgz.length);
    assert.equal(result.files, 501);
    const digest = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    assert.equal(digest(await readFile(join(rel, 'data/big.bin'))), digest(big));
    assert.equal(await readFile(join(rel, 'src/m7/f417.js'), 'utf8'), 'module.exports = 417;\n');
    assert.equal(existsSync(join(rel, '.hop3-umask-probe')), false);
  } finally {
    await box.cleanup();
  }
});
