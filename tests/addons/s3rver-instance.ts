/**
 * An in-process s3rver (@20minutes/s3rver) on 127.0.0.1 with an app key pair, for the s3 tests and
 * bench:addons; close() stops it and removes its dir. s3rver checks SigV4 but has no IAM: key scoping
 * cannot be verified against it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/ports.ts';

interface S3rverInstance {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverCtor = new (opts: { address: string; port: number; silent: boolean; directory: string }) => S3rverInstance;
interface AccountModule {
  DUMMY_ACCOUNT: { createKeyPair(accessKey: string, secretKey: string): void };
}
const require = createRequire(import.meta.url);

export interface RunningS3rver {
  readonly port: number;
  /** s3rver's built-in operator key pair. */
  readonly adminKey: string;
  readonly appKey: string;
  readonly appSecret: string;
  close(): Promise<void>;
}

export async function startS3rver(appKey = 'HOP3BENCHAPP', appSecret = 'hop3-bench-app-secret'): Promise<RunningS3rver> {
  const S3rver = require('@20minutes/s3rver') as S3rverCtor;
  const accounts = require('@20minutes/s3rver/lib/models/account.js') as AccountModule;
  const dir = mkdtempSync(join(tmpdir(), 'hop3-s3rver-'));
  const port = await freePort();
  const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dir });
  await server.run();
  accounts.DUMMY_ACCOUNT.createKeyPair(appKey, appSecret);
  return {
    port,
    adminKey: 'S3RVER',
    appKey,
    appSecret,
    async close() {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
