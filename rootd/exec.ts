/**
 * The one exec wrapper: absolute binaries from rootd's config only, argv arrays
 * only (never a shell), a timeout, a scrubbed environment and an output cap.
 */
import { spawn } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { Hop3Error } from '../shared-protocol/errors.ts';

export type BinaryName = 'nft' | 'nginx' | 'mount' | 'umount';

export interface ExecRequest {
  readonly bin: BinaryName;
  readonly args: readonly string[];
  /** Written to stdin (e.g. an nft script); stdin is closed otherwise. */
  readonly input?: string;
  readonly timeoutMs?: number;
}

export interface ExecResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Never throws for a non-zero exit: callers decide. Throws E_EXEC_TIMEOUT / E_EXEC_FAILED otherwise. */
export type Exec = (req: ExecRequest) => Promise<ExecResult>;

export const SCRUBBED_ENV: Readonly<Record<string, string>> = Object.freeze({
  PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C',
  LC_ALL: 'C',
});

export const OUTPUT_CAP_BYTES = 256 * 1024;

export function createExec(binaries: Readonly<Record<BinaryName, string>>, defaultTimeoutMs = 15_000): Exec {
  for (const [name, path] of Object.entries(binaries)) {
    if (!isAbsolute(path)) throw new Error(`binary ${name} must be an absolute path, got ${path}`);
  }
  return (req) =>
    new Promise<ExecResult>((resolve, reject) => {
      const file = binaries[req.bin];
      const child = spawn(file, [...req.args], {
        env: { ...SCRUBBED_ENV },
        shell: false,
        stdio: ['pipe', 'pipe', 'pipe'],
        cwd: '/',
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outLen = 0;
      let errLen = 0;
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, req.timeoutMs ?? defaultTimeoutMs);
      child.stdout.on('data', (b: Buffer) => {
        if (outLen < OUTPUT_CAP_BYTES) out.push(b.subarray(0, OUTPUT_CAP_BYTES - outLen));
        outLen += b.length;
      });
      child.stderr.on('data', (b: Buffer) => {
        if (errLen < OUTPUT_CAP_BYTES) err.push(b.subarray(0, OUTPUT_CAP_BYTES - errLen));
        errLen += b.length;
      });
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(new Hop3Error('E_EXEC_FAILED', `${req.bin}: cannot run ${file}: ${e.message}`, { cause: e }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        if (timedOut) {
          reject(new Hop3Error('E_EXEC_TIMEOUT', `${req.bin} ${req.args.join(' ')}: timed out`));
          return;
        }
        resolve({
          code: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
      child.stdin.on('error', () => {
        /* the child may exit before reading stdin; its exit code tells the story */
      });
      child.stdin.end(req.input ?? '');
    });
}

/** First non-empty line of a command's stderr (or stdout), for error messages. */
export function firstLine(r: ExecResult): string {
  const line = (r.stderr || r.stdout).split('\n').find((l) => l.trim() !== '');
  return line?.trim() ?? `exit code ${r.code}`;
}
