/**
 * Step 1: stream the uploaded tar.gz into a fresh release directory
 * (server/deploy/upload.ts: limits, refusals, full cleanup on refusal),
 * hashing the compressed bytes on the way for the release record.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import type { UploadLimits } from '../../../shared-protocol/upload/limits.ts';
import { extractUpload, type UploadResult } from '../upload.ts';

export interface Received extends UploadResult {
  readonly sha256: string;
}

/** <APP_ROOT>/<app>/src, created 0750 with its parents. */
export async function prepareSrcDir(srcDir: string): Promise<void> {
  await mkdir(dirname(srcDir), { recursive: true, mode: 0o750 });
  await mkdir(srcDir, { recursive: true, mode: 0o750 });
}

export async function receiveUpload(source: Readable, dir: string, limits: Partial<UploadLimits> | undefined): Promise<Received> {
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  source.on('error', (e) => tap.destroy(e));
  const result = await extractUpload(source.pipe(tap), dir, limits === undefined ? {} : { limits });
  return { ...result, sha256: hash.digest('hex') };
}
