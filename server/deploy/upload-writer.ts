/**
 * The release writer: applies the planner's actions to the release directory
 * one at a time (one open file at most), with a bounded in-memory backlog.
 * Paths come only from the planner (relative, validated, no links can exist
 * under the root because none are ever created), and every file is opened
 * O_CREAT|O_EXCL|O_NOFOLLOW all the same.
 *
 * Backpressure bounds the file data held in memory (highWaterBytes); queued
 * metadata jobs are bounded by the planner's entry limit (~100 bytes each),
 * so a flood of empty entries reaches the entry limit without waiting for
 * the disk. Modes are set at creation and chmod'ed only when the process
 * umask would have masked them (probed once per release).
 */
import { constants } from 'node:fs';
import { chmod, mkdir, open, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Action } from '../../shared-protocol/upload/plan.ts';

interface FileJob {
  readonly kind: 'file';
  readonly path: string;
  readonly mode: number;
  readonly chunks: Buffer[];
  ended: boolean;
}
type Job = Exclude<Action, { kind: 'file' }> | FileJob;

const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export class ReleaseWriter {
  readonly #root: string;
  readonly #queue: Job[] = [];
  readonly #highWaterBytes: number;
  #queuedBytes = 0;
  #closed = false;
  #stopped = false;
  #wake: (() => void) | null = null;
  #umask = 0o777;
  #roomWaiters: Array<() => void> = [];
  writtenBytes = 0;

  constructor(root: string, highWaterBytes = 4 * 1024 * 1024) {
    this.#root = root;
    this.#highWaterBytes = highWaterBytes;
  }

  /** Queue an action; for a file, returns the handle that receives its data. */
  push(action: Action): FileJob | null {
    if (action.kind === 'file') {
      const job: FileJob = { kind: 'file', path: action.path, mode: action.mode, chunks: [], ended: false };
      this.#enqueue(job);
      return job;
    }
    this.#enqueue(action);
    return null;
  }

  data(job: FileJob, chunk: Buffer): void {
    job.chunks.push(chunk);
    this.#queuedBytes += chunk.length;
    this.#poke();
  }

  end(job: FileJob): void {
    job.ended = true;
    this.#poke();
  }

  /** No more actions will come; run() resolves once the backlog is written. */
  close(): void {
    this.#closed = true;
    this.#poke();
  }

  /** Abandon the backlog; run() resolves after the operation in flight. */
  stop(): void {
    this.#stopped = true;
    this.#poke();
    this.#releaseRoom();
  }

  /** Resolves when the backlog is small enough to accept more input. */
  room(): Promise<void> {
    if (this.#stopped || this.#queuedBytes <= this.#highWaterBytes) return Promise.resolve();
    return new Promise((resolve) => this.#roomWaiters.push(resolve));
  }

  async run(): Promise<void> {
    await this.#probeUmask();
    for (;;) {
      const job = await this.#next();
      if (job === null) return;
      if (job.kind === 'mkdir') {
        await mkdir(join(this.#root, job.path), { mode: job.mode });
        if (this.#masked(job.mode)) await chmod(join(this.#root, job.path), job.mode);
      } else if (job.kind === 'chmod') {
        await chmod(join(this.#root, job.path), job.mode);
      } else {
        await this.#writeFile(job);
      }
      this.#releaseRoom();
    }
  }

  async #writeFile(job: FileJob): Promise<void> {
    const fh = await open(join(this.#root, job.path), CREATE_FLAGS, job.mode);
    try {
      for (;;) {
        if (this.#stopped) return;
        if (job.chunks.length > 0) {
          // everything queued for this file in one write (one thread-pool round trip)
          const chunk = job.chunks.length === 1 ? (job.chunks[0] as Buffer) : Buffer.concat(job.chunks);
          job.chunks.length = 0;
          let off = 0;
          while (off < chunk.length) {
            const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
            off += bytesWritten;
          }
          this.#queuedBytes -= chunk.length;
          this.writtenBytes += chunk.length;
          this.#releaseRoom();
          continue;
        }
        if (job.ended) break;
        await new Promise<void>((resolve) => (this.#wake = resolve));
      }
      if (this.#masked(job.mode)) await fh.chmod(job.mode);
    } finally {
      await fh.close();
    }
  }

  /** The umask, read without process.umask() (deprecated): a 0777 directory shows what it masks. */
  async #probeUmask(): Promise<void> {
    const probe = join(this.#root, '.hop3-umask-probe');
    await mkdir(probe, { mode: 0o777 });
    this.#umask = ~(await stat(probe)).mode & 0o777;
    await rmdir(probe);
  }

  #masked(mode: number): boolean {
    return (mode & ~this.#umask) !== mode;
  }

  async #next(): Promise<Job | null> {
    for (;;) {
      if (this.#stopped) return null;
      const job = this.#queue.shift();
      if (job !== undefined) return job;
      if (this.#closed) return null;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  #enqueue(job: Job): void {
    this.#queue.push(job);
    this.#poke();
  }

  #poke(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  #releaseRoom(): void {
    if (!this.#stopped && this.#queuedBytes > this.#highWaterBytes) return;
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const w of waiters) w();
  }
}
