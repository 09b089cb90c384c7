/**
 * App logs for `hop3 logs`: the last N lines of every process log of the app
 * (<log dir>/<app>/<stem>.log, rotated .log.1 not read), and following them
 * (new files, such as a new release's, are picked up every second).
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogLine } from '../../shared-protocol/api/processes.ts';
import type { SseEvent } from '../../shared-protocol/api/sse.ts';
import type { Clock } from '../runtime/clock.ts';
import { appLogDir, type RuntimeLayout } from '../runtime/layout.ts';
import { fileSize, tailFile, type LogTail } from '../runtime/log-watch.ts';
import { parseVassalFileName, processLabel } from '../runtime/names.ts';
import { releaseNumberOf } from './paths.ts';

export const MAX_LINES = 10_000;
const TAIL_BYTES_PER_LINE = 512;

interface LogFile {
  readonly path: string;
  readonly process: string;
  readonly release: number;
}

function matches(label: string, filter: string | undefined): boolean {
  return filter === undefined || label === filter || label.startsWith(`${filter}.`);
}

async function logFiles(layout: RuntimeLayout, app: string, filter: string | undefined): Promise<LogFile[]> {
  const dir = appLogDir(layout, app);
  const names = await readdir(dir).catch(() => [] as string[]);
  const out: LogFile[] = [];
  for (const name of names.sort()) {
    if (!name.endsWith('.log')) continue;
    const id = parseVassalFileName(`${name.slice(0, -4)}.ini`);
    if (id === null) continue;
    const label = processLabel(id);
    if (!matches(label, filter)) continue;
    out.push({ path: join(dir, name), process: label, release: releaseNumberOf(id.release) ?? 0 });
  }
  return out;
}

/** The last `n` lines of a file (reads at most n × 512 bytes from its end, at least 64 KiB). */
async function lastLines(path: string, n: number): Promise<{ lines: string[]; size: number }> {
  const size = await fileSize(path);
  if (n === 0 || size === 0) return { lines: [], size };
  const want = Math.min(size, Math.max(64 * 1024, n * TAIL_BYTES_PER_LINE));
  const fd = await open(path, 'r');
  try {
    const buf = Buffer.alloc(want);
    const { bytesRead } = await fd.read(buf, 0, want, size - want);
    const lines = buf.subarray(0, bytesRead).toString('utf8').split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    if (want < size) lines.shift();
    return { lines: lines.slice(-n), size };
  } finally {
    await fd.close();
  }
}

export async function readLogs(layout: RuntimeLayout, app: string, n: number, filter?: string): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for (const f of await logFiles(layout, app, filter)) {
    for (const line of (await lastLines(f.path, n)).lines) out.push({ process: f.process, release: f.release, line });
  }
  return out;
}

/** The last lines, then new ones as they are written, as SSE `log` events; stops when the consumer does. */
export async function* followLogs(layout: RuntimeLayout, clock: Clock, app: string, n: number, filter?: string): AsyncGenerator<SseEvent> {
  const queue: LogLine[] = [];
  let wake: (() => void) | null = null;
  const tails = new Map<string, LogTail>();
  const push = (l: LogLine): void => {
    queue.push(l);
    wake?.();
  };
  const watch = async (initial: boolean): Promise<void> => {
    for (const f of await logFiles(layout, app, filter)) {
      if (tails.has(f.path)) continue;
      let offset = 0;
      if (initial) {
        const last = await lastLines(f.path, n);
        for (const line of last.lines) push({ process: f.process, release: f.release, line });
        offset = last.size;
      }
      tails.set(f.path, tailFile(f.path, offset, (line) => push({ process: f.process, release: f.release, line }), clock, 250));
    }
  };
  await watch(true);
  const rescan = setInterval(() => void watch(false), 1000);
  try {
    for (;;) {
      while (queue.length > 0) yield { event: 'log', data: JSON.stringify(queue.shift()) };
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 1000).unref();
      });
      wake = null;
    }
  } finally {
    clearInterval(rescan);
    await Promise.all([...tails.values()].map((t) => t.stop()));
  }
}
