/**
 * Bundle creation for `hop3 deploy`: a deterministic tar.gz of an app
 * directory. Same tree, same bytes: entries in walk order, fixed mtime,
 * uid/gid 0 with empty owner names, normalized modes, no atime/ctime, pax
 * records only for long or non-ASCII names, gzip header mtime 0.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Header, Pax } from 'tar';
import { uploadError } from '../../shared-protocol/upload/errors.ts';
import { planBundle, type BundleEntry, type BundlePlan, type WalkOptions } from './walk.ts';

export type { BundleEntry, BundlePlan } from './walk.ts';
export { planBundle } from './walk.ts';

export const BUNDLE_MTIME = new Date('2000-01-01T00:00:00Z');

export interface BundleProgress {
  readonly entries: number;
  readonly totalEntries: number;
  /** file content bytes read */
  readonly bytes: number;
  readonly totalBytes: number;
  /** gzip bytes produced so far */
  readonly compressedBytes: number;
}

export interface BundleOptions extends WalkOptions {
  readonly mtime?: Date;
  /** zlib level 1-9 (default 6) */
  readonly level?: number;
  readonly onProgress?: (p: BundleProgress) => void;
}

const BLOCK = 512;
const CHUNK = 64 * 1024;

/** The header block(s) of one entry: a pax record first when the name needs one. */
export function entryHeader(e: BundleEntry, mtime: Date): Buffer {
  const path = e.kind === 'dir' ? `${e.path}/` : e.path;
  const fields = { path, mode: e.mode, uid: 0, gid: 0, size: e.size, mtime, uname: '', gname: '' };
  const block = Buffer.alloc(BLOCK);
  const header = new Header({ ...fields, type: e.kind === 'dir' ? 'Directory' : 'File' });
  const needPax = header.encode(block, 0);
  if (!needPax) return block;
  return Buffer.concat([new Pax({ path, mtime, uid: 0, gid: 0, uname: '', gname: '' }).encode(), block]);
}

async function* fileBlocks(root: string, e: BundleEntry, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  const fh = await open(join(root, e.path), constants.O_RDONLY | constants.O_NOFOLLOW).catch((err: unknown) => {
    throw uploadError('E_BUNDLE_READ', `cannot open ${e.path}: ${(err as Error).message}`, undefined, err);
  });
  try {
    let remain = e.size;
    while (remain > 0) {
      const buf = Buffer.alloc(Math.min(CHUNK, remain));
      const { bytesRead } = await fh.read(buf, 0, buf.length);
      if (bytesRead === 0) throw uploadError('E_BUNDLE_FILE_CHANGED', `${e.path} shrank while it was being read`);
      remain -= bytesRead;
      onBytes(bytesRead);
      yield buf.subarray(0, bytesRead);
    }
    const extra = await fh.read(Buffer.alloc(1), 0, 1);
    if (extra.bytesRead !== 0) throw uploadError('E_BUNDLE_FILE_CHANGED', `${e.path} grew while it was being read`);
    const pad = (BLOCK - (e.size % BLOCK)) % BLOCK;
    if (pad > 0) yield Buffer.alloc(pad);
  } finally {
    await fh.close();
  }
}

/** The uncompressed tar stream of a plan (ends with the two zero blocks). */
export async function* tarBlocks(plan: BundlePlan, mtime: Date, onEntry: () => void, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  for (const e of plan.entries) {
    yield entryHeader(e, mtime);
    if (e.kind === 'file' && e.size > 0) yield* fileBlocks(plan.root, e, onBytes);
    onEntry();
  }
  yield Buffer.alloc(2 * BLOCK);
}

/** A tar.gz stream of a plan made by planBundle. Errors surface as stream errors (Hop3Error). */
export function bundleStream(plan: BundlePlan, options: Omit<BundleOptions, 'ignore' | 'limits'> = {}): Readable {
  let entries = 0;
  let bytes = 0;
  let compressed = 0;
  const report = (): void =>
    options.onProgress?.({ entries, totalEntries: plan.entries.length, bytes, totalBytes: plan.bytes, compressedBytes: compressed });
  const gzip = createGzip({ level: options.level ?? 6 });
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      compressed += chunk.length;
      cb(null, chunk);
    },
    flush(cb) {
      cb();
      report();
    },
  });
  const tar = Readable.from(
    tarBlocks(
      plan,
      options.mtime ?? BUNDLE_MTIME,
      () => {
        entries += 1;
        report();
      },
      (n) => (bytes += n),
    ),
    { objectMode: false },
  );
  pipeline(tar, gzip, out).catch(() => {
    /* the error reaches the consumer: pipeline destroys `out` with it */
  });
  return out;
}

/** Walk `root` and stream its deterministic tar.gz. */
export async function createBundle(root: string, options: BundleOptions = {}): Promise<{ plan: BundlePlan; stream: Readable }> {
  const plan = await planBundle(root, options);
  return { plan, stream: bundleStream(plan, options) };
}
