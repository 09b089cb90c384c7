/** An in-process s3rver (@20minutes/s3rver) on 127.0.0.1 for bench:addons, with an app key pair; close() stops it and removes its dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen({ port, host: '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port in 20000-29999');
}

export async function startS3rver(): Promise<RunningS3rver> {
  const S3rver = require('@20minutes/s3rver') as S3rverCtor;
  const accounts = require('@20minutes/s3rver/lib/models/account.js') as AccountModule;
  const dir = mkdtempSync(join(tmpdir(), 'hop3-bench-s3rver-'));
  const port = await freePort();
  const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory: dir });
  await server.run();
  const appKey = 'HOP3BENCHAPP';
  const appSecret = 'hop3-bench-app-secret';
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
