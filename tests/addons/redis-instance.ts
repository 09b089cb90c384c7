/**
 * A private redis-server for tests: a temp dir, 127.0.0.1 on a free port in
 * 20000-29999, no persistence (--save "" --appendonly no), a `requirepass`
 * for the default user (the backend's admin password), and its log file
 * inside the dir. stop() ends exactly the redis-server this started (by its
 * pid) and removes the dir. The system Redis on 6379 is never touched.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../support/ports.ts';
import { waitExit } from '../support/process.ts';

export const REDIS_SERVER = '/usr/bin/redis-server';

export interface RedisInstance {
  readonly dir: string;
  readonly port: number;
  readonly adminPassword: string;
  readonly pid: number;
  /** A fresh admin connection (default user); the caller quits it. */
  admin(db?: number): Redis;
  /** The server log so far. */
  log(): string;
  stop(): Promise<void>;
}

export function redisAvailable(): boolean {
  return existsSync(REDIS_SERVER);
}

export async function startRedis(opts: { databases?: number } = {}): Promise<RedisInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'hop3-redis-'));
  const port = await freePort();
  const adminPassword = randomBytes(18).toString('base64url');
  const logFile = join(dir, 'redis.log');
  // The password is passed on stdin as a config file ("-" reads it), never in argv.
  const child = spawn(
    REDIS_SERVER,
    ['-', '--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no',
      '--databases', String(opts.databases ?? 16), '--logfile', logFile, '--daemonize', 'no', '--protected-mode', 'yes'],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  child.stdin?.end(`requirepass "${adminPassword}"\n`);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  if (child.pid === undefined) throw new Error('redis-server did not start');
  const pid = child.pid;

  const admin = (db = 0): Redis =>
    new Redis({ host: '127.0.0.1', port, password: adminPassword, db, lazyConnect: false, maxRetriesPerRequest: 1, retryStrategy: () => null });

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server exited (${child.exitCode ?? child.signalCode}): ${stderr}`);
    }
    const c = admin();
    c.on('error', () => undefined);
    try {
      if ((await c.ping()) === 'PONG') break;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server not ready within 10 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      c.disconnect();
    }
  }

  return {
    dir,
    port,
    adminPassword,
    pid,
    admin,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(pid, 'SIGTERM');
        if (!(await waitExit(child, 5000))) {
          process.kill(pid, 'SIGKILL');
          await waitExit(child, 2000);
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
