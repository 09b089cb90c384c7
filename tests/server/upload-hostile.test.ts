import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { bombManyFiles, bombOneFile, bombTrailing, HOSTILE, manyEntries, tgzOf } from '../fixtures/uploads/corpus.ts';
import { expectRefusal, listing, sandbox } from './upload-helpers.ts';

const MiB = 1024 * 1024;
const passwdLinks = statSync('/etc/passwd').nlink;

for (const c of HOSTILE) {
  test(`an upload with ${c.name} is refused with ${c.code}, the release dir is removed and nothing outside it changes`, async () => {
    const box = await sandbox();
    try {
      const before = await listing(box.root);
      await expectRefusal(Readable.from([c.tgz()]), box.release(), c.code);
      assert.deepEqual(await listing(box.root), before);
      assert.equal(existsSync('/etc/hop3-pwned'), false);
      assert.equal(existsSync('/tmp/hop3-pwned'), false);
      assert.equal(statSync('/etc/passwd').nlink, passwdLinks);
    } finally {
      await box.cleanup();
    }
  });
}

test('a 1 GiB file of zeros (about 1 MB compressed) is refused at its header, long before 1 GiB is produced', async () => {
  const box = await sandbox();
  try {
    const before = await listing(box.root);
    const bomb = bombOneFile();
    await expectRefusal(bomb.stream, box.release(), 'E_UPLOAD_TOO_LARGE_UNCOMPRESSED');
    assert.ok(bomb.produced() < 64 * MiB, `produced ${bomb.produced()} bytes`);
    assert.deepEqual(await listing(box.root), before);
  } finally {
    await box.cleanup();
  }
});

test('eleven 100 MiB files of zeros are refused once their sum passes the uncompressed limit, with at most that much written', async () => {
  const box = await sandbox();
  try {
    const bomb = bombManyFiles();
    let maxWritten = 0;
    await expectRefusal(bomb.stream, box.release(), 'E_UPLOAD_TOO_LARGE_UNCOMPRESSED', {
      limits: { maxUncompressedBytes: 250 * MiB },
      onProgress: (p) => (maxWritten = Math.max(maxWritten, p.writtenBytes)),
    });
    assert.ok(maxWritten <= 250 * MiB, `wrote ${maxWritten} bytes`);
    assert.ok(bomb.produced() < 300 * MiB + 2 * MiB, `produced ${bomb.produced()} bytes`);
  } finally {
    await box.cleanup();
  }
});

test('1 GiB of zeros after the end-of-archive marker is refused after about 1 MiB', async () => {
  const box = await sandbox();
  try {
    const bomb = bombTrailing();
    let expanded = 0;
    await expectRefusal(bomb.stream, box.release(), 'E_UPLOAD_TRAILING_DATA', { onProgress: (p) => (expanded = p.expandedBytes) });
    assert.ok(expanded < 3 * MiB, `read ${expanded} decompressed bytes`);
    assert.ok(bomb.produced() < 64 * MiB, `produced ${bomb.produced()} bytes`);
  } finally {
    await box.cleanup();
  }
});

test('100k empty entries are refused at the entry limit and the release dir is removed', async () => {
  const box = await sandbox();
  try {
    const before = await listing(box.root);
    const many = manyEntries(100_000);
    const started = performance.now();
    await expectRefusal(many.stream, box.release(), 'E_UPLOAD_TOO_MANY_ENTRIES');
    assert.ok(performance.now() - started < 20_000, 'refused without writing 50k files first');
    assert.ok(many.produced() < 80_000 * 512, `produced ${many.produced()} bytes`);
    assert.deepEqual(await listing(box.root), before);
    assert.deepEqual(await readdir(box.releases), []);
  } finally {
    await box.cleanup();
  }
});

test('an upload larger than the compressed limit is refused with E_UPLOAD_TOO_LARGE', async () => {
  const box = await sandbox();
  try {
    const noise = tgzOf([{ path: 'noise.bin', data: randomBytes(MiB) }]);
    await expectRefusal(Readable.from([noise]), box.release(), 'E_UPLOAD_TOO_LARGE', { limits: { maxCompressedBytes: 64 * 1024 } });
  } finally {
    await box.cleanup();
  }
});
