/**
 * Test support for the addon lifecycle tests: a private redis-server on a
 * temp dir and a port below 32768 (stopped by its pid), a minimal RESP
 * client, and a small redis backend on the contract (server/addons/backend.ts)
 * used until server/addons/redis.ts lands: a logical DB from the allocator,
 * an ACL user whose password goes over the protocol (never argv), FLUSHDB on
 * destroy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddonBackend, RedisDbAllocator } from '../../server/addons/backend.ts';

export type Reply = string | number | null | Error;

function encode(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** Parse simple replies (+ - : $); returns [reply, rest] or undefined when incomplete. */
function parse(buf: string): [Reply, string] | undefined {
  const end = buf.indexOf('\r\n');
  if (end < 0) return undefined;
  const head = buf.slice(1, end);
  const rest = buf.slice(end + 2);
  switch (buf[0]) {
    case '+':
      return [head, rest];
    case '-':
      return [new Error(head), rest];
    case ':':
      return [Number(head), rest];
    case '$': {
      const n = Number(head);
      if (n < 0) return [null, rest];
      if (Buffer.byteLength(rest) < n + 2) return undefined;
      return [rest.slice(0, n), rest.slice(n + 2)];
    }
    default:
      throw new Error(`unsupported reply type ${buf[0] ?? ''}`);
  }
}

/** Send commands on one connection; resolve with every reply. */
export function redis(port: number, cmds: readonly (readonly string[])[]): Promise<Reply[]> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let buf = '';
    const replies: Reply[] = [];
    s.on('error', reject);
    s.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      for (let r = parse(buf); r !== undefined; r = parse(buf)) {
        replies.push(r[0]);
        buf = r[1];
      }
      if (replies.length >= cmds.length) {
        s.end();
        resolve(replies);
      }
    });
    s.write(cmds.map(encode).join(''));
  });
}

export interface PrivateRedis {
  readonly port: number;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<PrivateRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'hop3-redis-'));
  const port = 12000 + Math.floor(Math.random() * 8000);
  const child: ChildProcess = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--databases', '64'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await redis(port, [['PING']]).then(() => true, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    async stop() {
      if (child.pid !== undefined && child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        process.kill(child.pid, 'SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function redisDouble(port: number, dbs: RedisDbAllocator, opts: { password?: () => string; limit?: number } = {}): AddonBackend {
  const user = (name: string): string => `hop3_${name.replace(/-/g, '_')}`;
  return {
    type: 'redis',
    envKeys: ['REDIS_URL', 'REDIS_HOST', 'REDIS_PORT', 'REDIS_DB'],
    supportedBackupMethods: [],
    async provision(name) {
      const db = dbs.claim(name, opts.limit ?? 64);
      const password = opts.password?.() ?? randomBytes(18).toString('base64url');
      const [r] = await redis(port, [['ACL', 'SETUSER', user(name), 'reset', 'on', `>${password}`, '~*', '&*', '+@all']]);
      if (r instanceof Error) {
        dbs.release(name);
        throw r;
      }
      return { resource: { db, port }, secrets: { password } };
    },
    env(name, p) {
      const db = String(p.resource['db']);
      const pw = encodeURIComponent(p.secrets['password'] ?? '');
      return { REDIS_URL: `redis://${user(name)}:${pw}@127.0.0.1:${port}/${db}`, REDIS_HOST: '127.0.0.1', REDIS_PORT: String(port), REDIS_DB: db };
    },
    async status(name, p) {
      const r = await redis(port, [['AUTH', user(name), p.secrets['password'] ?? ''], ['SELECT', String(p.resource['db'])], ['PING']]);
      const ok = r.every((x) => !(x instanceof Error));
      return { ok, detail: ok ? `connected as ${user(name)} to db ${String(p.resource['db'])}` : 'cannot connect' };
    },
    async deprovision(name, p) {
      await redis(port, [['SELECT', String(p.resource['db'])], ['FLUSHDB'], ['ACL', 'DELUSER', user(name)]]);
      dbs.release(name);
    },
    async close() {},
  };
}
