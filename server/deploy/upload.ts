/**
 * Pipeline step 1: extract an uploaded tar.gz stream into a fresh release
 * directory. Streaming and bounded: bytes are counted before and after
 * gunzip, every header goes through the planner before anything is written,
 * and any refusal removes the release directory entirely.
 *
 *   source ─▶ count (compressed cap) ─▶ gunzip ─▶ guard (expanded cap, no
 *   nested compression) ─▶ tar Parser ─▶ planner ─▶ writer (release dir)
 */
import { mkdir, chmod, rm } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { Parser, type ReadEntry } from 'tar';
import { Hop3Error, isHop3Error } from '../../shared-protocol/errors.ts';
import { uploadError } from '../../shared-protocol/upload/errors.ts';
import { maxTarStreamBytes, resolveUploadLimits, type UploadLimits } from '../../shared-protocol/upload/limits.ts';
import { UploadPlanner } from '../../shared-protocol/upload/plan.ts';
import { ReleaseWriter } from './upload-writer.ts';

export interface UploadProgress {
  /** compressed bytes received */
  readonly receivedBytes: number;
  /** decompressed tar bytes (headers and padding included) */
  readonly expandedBytes: number;
  /** file content bytes written to disk */
  readonly writtenBytes: number;
  /** entries seen (files and directories) */
  readonly entries: number;
}

export interface UploadResult extends UploadProgress {
  readonly releaseDir: string;
  readonly files: number;
  readonly durationMs: number;
}

export interface ExtractOptions {
  readonly limits?: Partial<UploadLimits>;
  /** called as compressed data arrives and once at the end */
  readonly onProgress?: (p: UploadProgress) => void;
  readonly signal?: AbortSignal;
}

/** The release directory: absolute, must not exist, created 0750 (its parent must exist). */
async function createReleaseDir(dir: string): Promise<void> {
  if (!isAbsolute(dir)) throw new TypeError(`release directory must be absolute, got ${dir}`);
  try {
    await mkdir(dir, { mode: 0o750 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw uploadError('E_UPLOAD_RELEASE_EXISTS', `release directory ${dir} already exists`);
    throw uploadError('E_UPLOAD_RELEASE_DIR', `cannot create release directory ${dir}: ${String(code ?? e)}`, undefined, e);
  }
  await chmod(dir, 0o750);
}

const NESTED_MAGIC: readonly Buffer[] = [Buffer.from([0x1f, 0x8b]), Buffer.from([0x28, 0xb5, 0x2f, 0xfd])];

/** Map a stream-level failure that is not already ours. */
function classify(e: unknown): Hop3Error {
  if (isHop3Error(e)) return e;
  const err = e as NodeJS.ErrnoException;
  if (err.name === 'AbortError') return uploadError('E_UPLOAD_ABORTED', 'the upload was cancelled', undefined, e);
  if (typeof err.code === 'string' && err.code.startsWith('Z_')) {
    return uploadError('E_UPLOAD_CORRUPT', `the upload is not a valid gzip stream: ${err.message}`, undefined, e);
  }
  if (typeof err.code === 'string' && err.code.startsWith('TAR_')) {
    return uploadError('E_UPLOAD_CORRUPT', `the upload is not a valid tar archive: ${err.message}`, undefined, e);
  }
  return uploadError('E_UPLOAD_STREAM', `the upload stream failed: ${err.message}`, undefined, e);
}

/**
 * Extract `source` (a tar.gz stream) into `releaseDir`, which must not exist.
 * Resolves with totals; rejects with an E_UPLOAD_* Hop3Error after removing
 * the release directory. The source stream is destroyed on refusal.
 */
export async function extractUpload(source: Readable, releaseDir: string, options: ExtractOptions = {}): Promise<UploadResult> {
  const limits = resolveUploadLimits(options.limits);
  const started = performance.now();
  await createReleaseDir(releaseDir);

  const planner = new UploadPlanner(limits);
  const writer = new ReleaseWriter(releaseDir);
  const tarCap = maxTarStreamBytes(limits);
  let received = 0;
  let expanded = 0;
  let trailing = 0;
  let sawEof = false;
  let failure: Hop3Error | null = null;
  const progress = (): UploadProgress => ({
    receivedBytes: received,
    expandedBytes: expanded,
    writtenBytes: writer.writtenBytes,
    entries: planner.entries,
  });

  const parser = new Parser({ strict: true, maxMetaEntrySize: 64 * 1024, zstd: false });
  const parserEnded = new Promise<void>((resolve) => parser.on('end', resolve));

  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      received += chunk.length;
      if (received > limits.maxCompressedBytes) {
        cb(uploadError('E_UPLOAD_TOO_LARGE', `the upload is larger than ${limits.maxCompressedBytes} bytes`, { limit: limits.maxCompressedBytes }));
        return;
      }
      options.onProgress?.(progress());
      cb(null, chunk);
    },
  });

  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (failure !== null) return cb(failure);
      if (expanded === 0 && NESTED_MAGIC.some((m) => chunk.subarray(0, m.length).equals(m))) {
        return cb(uploadError('E_UPLOAD_CORRUPT', 'the upload is compressed twice; send one gzip layer around a plain tar'));
      }
      expanded += chunk.length;
      if (expanded > tarCap) {
        return cb(uploadError('E_UPLOAD_TOO_LARGE_UNCOMPRESSED', `the upload expands to more than ${tarCap} bytes`, { limit: tarCap }));
      }
      if (sawEof) {
        // node-tar buffers whatever follows the end marker: never feed it.
        trailing += chunk.length;
        if (trailing > limits.maxTrailingBytes) {
          return cb(uploadError('E_UPLOAD_TRAILING_DATA', `more than ${limits.maxTrailingBytes} bytes follow the end-of-archive marker`));
        }
        return cb();
      }
      parser.write(chunk);
      if (failure !== null) return cb(failure);
      void writer.room().then(() => cb(failure));
    },
    final(cb) {
      parser.end();
      void Promise.race([parserEnded, writerDone]).then(() => cb(failure), (e: unknown) => cb(classify(e)));
    },
  });

  const fail = (e: unknown): void => {
    if (failure !== null) return;
    failure = classify(e);
    writer.stop();
    sink.destroy(failure);
  };

  parser.on('eof', () => (sawEof = true));
  parser.on('error', (e: unknown) => {
    // node-tar calls an archive holding only the end marker "unrecognized": it is merely empty
    if (sawEof && planner.entries === 0) return fail(uploadError('E_UPLOAD_EMPTY', 'the upload holds no files'));
    fail(uploadError('E_UPLOAD_CORRUPT', `the upload is not a valid tar archive: ${(e as Error).message}`));
  });
  parser.on('ignoredEntry', (entry: ReadEntry) => {
    fail(
      entry.meta
        ? uploadError('E_UPLOAD_ENTRY_TYPE', `a ${entry.type} metadata entry is larger than 64 KiB`)
        : uploadError('E_UPLOAD_ENTRY_TYPE', `entry ${JSON.stringify(entry.path)} has unsupported type ${entry.type}`),
    );
  });
  parser.on('entry', (entry: ReadEntry) => {
    if (failure !== null) return void entry.resume();
    let job = null;
    try {
      for (const action of planner.admit({ path: entry.path, type: entry.type, mode: entry.mode, size: entry.size })) {
        job = writer.push(action) ?? job;
      }
    } catch (e) {
      fail(e);
      return void entry.resume();
    }
    if (job === null) return void entry.resume();
    const fileJob = job;
    entry.on('end', () => writer.end(fileJob));
    entry.on('data', (c: Buffer) => writer.data(fileJob, c));
  });

  const writerDone = writer.run().catch((e: unknown) => {
    fail(isHop3Error(e) ? e : uploadError('E_UPLOAD_WRITE', `writing the release failed: ${(e as Error).message}`, undefined, e));
  });

  try {
    await pipeline(source, count, createGunzip({ chunkSize: 64 * 1024 }), sink, ...(options.signal === undefined ? [] : [{ signal: options.signal }]));
    writer.close();
    await writerDone;
    if (failure !== null) throw failure;
    if (!sawEof) throw uploadError('E_UPLOAD_CORRUPT', 'the archive ends without an end-of-archive marker (truncated upload)');
    if (planner.files === 0) throw uploadError('E_UPLOAD_EMPTY', 'the upload holds no files');
  } catch (e) {
    const err = failure ?? classify(e);
    writer.stop();
    await writerDone;
    await rm(releaseDir, { recursive: true, force: true });
    throw err;
  }
  const result = progress();
  options.onProgress?.(result);
  return { ...result, releaseDir, files: planner.files, durationMs: performance.now() - started };
}
