/**
 * Test harness for the real daemon: start `hop3-rootd serve` as a child
 * process on a temp socket (with binaries that cannot touch the host), and
 * talk to it over the socket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import type { RootdConfig } from '../../rootd/config.ts';
import { makeTempRootdConfig } from './helpers.ts';

export const REPO = resolve(import.meta.dirname, '../..');
export const BIN = join(REPO, 'rootd/bin.ts');

/**
 * A config whose binaries cannot change the host: mount, umount and nginx are
 * /bin/false, and nft is a two-line script in `dir` that answers every call
 * the way real nft answers on a host without the `inet hop3` table (exit 1,
 * "No such file or directory") — so list ops see an empty firewall and every
 * change fails with a typed error.
 */
export function harmlessConfig(base: RootdConfig, dir: string): RootdConfig {
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const nft = join(dir, 'bin', 'nft');
  writeFileSync(nft, "#!/bin/sh\necho 'Error: No such file or directory; did you mean table hop3 in family inet?' >&2\nexit 1\n", { mode: 0o755 });
  return {
    ...base,
    nginx: { ...base.nginx, binary: '/bin/false' },
    binaries: { nft, mount: '/bin/false', umount: '/bin/false' },
  };
}

export interface TempServeConfig {
  readonly dir: string;
  readonly config: RootdConfig;
  readonly configFile: string;
  cleanup(): void;
}

/** Temp tree + config file (0600, root-owned) with the socket dir 0750 root:<gid>. */
export function makeServeConfig(edit: (c: RootdConfig) => RootdConfig = (c) => c, socketDirGid = 0): TempServeConfig {
  const t = makeTempRootdConfig();
  const config = edit(harmlessConfig(t.config, t.dir));
  const runDir = join(t.dir, 'run');
  chownSync(runDir, 0, socketDirGid);
  chmodSync(runDir, 0o750);
  const configFile = join(t.dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2), { mode: 0o600 });
  return { dir: t.dir, config, configFile, cleanup: t.cleanup };
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const p = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { cwd: REPO, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

export interface ServeChild {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly socket: string;
  stderr(): string;
  /** SIGTERM, wait for exit (SIGKILL after 10 s); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** `entry`: node arguments that run the CLI (default: rootd/bin.ts through tsx; the bench passes a bundle). */
export function startServe(configFile: string, socket: string, env: NodeJS.ProcessEnv = {}, entry: readonly string[] = ['--import', 'tsx', BIN]): Promise<ServeChild> {
  const proc = spawn(process.execPath, [...entry, 'serve', '--config', configFile], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => ((exitCode = code), r(code))));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const child: ServeChild = {
    proc,
    pid: proc.pid!,
    socket,
    stderr: () => err,
    stop: async () => {
      if (exitCode !== undefined) return exitCode;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`rootd did not become ready in 30 s; stderr: ${err}`));
    }, 30_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes(' ready ')) {
        clearTimeout(timer);
        resolvePromise(child);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`rootd exited with ${code} before it was ready; stderr: ${err}`));
    });
  });
}

export interface Exchange {
  /** Reply lines received (without newlines). */
  readonly lines: string[];
  /** The server closed the connection (EOF or reset) before we did. */
  readonly closedByServer: boolean;
  readonly error?: string;
}

/**
 * Connect, send `payload`, optionally half-close, and collect reply lines
 * until `expectLines` arrived, the server closed, or the timeout.
 */
export function exchange(path: string, payload: string | Buffer, opts: { end?: boolean; expectLines?: number; timeoutMs?: number } = {}): Promise<Exchange> {
  return new Promise((resolvePromise) => {
    const s = connect(path);
    let buf = '';
    let done = false;
    const lines: string[] = [];
    const finish = (closedByServer: boolean, error?: string): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolvePromise(error === undefined ? { lines, closedByServer } : { lines, closedByServer, error });
    };
    const timer = setTimeout(() => finish(false), opts.timeoutMs ?? 10_000);
    s.on('connect', () => {
      s.write(payload);
      if (opts.end) s.end();
    });
    s.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) !== -1) {
        lines.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
      if (opts.expectLines !== undefined && lines.length >= opts.expectLines) finish(false);
    });
    s.on('end', () => finish(true));
    s.on('error', (e: NodeJS.ErrnoException) => finish(true, e.code ?? e.message));
    s.on('close', () => finish(true));
  });
}

/** One request per connection; resolves with the parsed reply. */
export async function socketCall(path: string, request: unknown): Promise<Record<string, unknown>> {
  const line = typeof request === 'string' ? request : JSON.stringify(request);
  const r = await exchange(path, line + '\n', { expectLines: 1 });
  if (r.lines.length === 0) throw new Error(`no reply from rootd (${r.error ?? 'closed'})`);
  return JSON.parse(r.lines[0]!) as Record<string, unknown>;
}
