/**
 * Following a vassal log: new lines go to a callback (the deploy log), and
 * uWSGI's own lines tell when the app process died and was respawned.
 */
import { open, stat } from 'node:fs/promises';
import type { Clock } from './clock.ts';

const DAEMON_SPAWN_RE = /^\[uwsgi-daemons\] (re)?spawning "/;
const DAEMON_THROTTLE_RE = /^\[uwsgi-daemons\] throttling "/;
const VASSAL_START_RE = /^\*\*\* Starting uWSGI /;

/**
 * Counts process deaths from uWSGI lines. A dead daemon is respawned, after a
 * "throttling" line when it died within 3 s of its start: the throttling line
 * is the earliest sign, so it counts, and the respawn that follows does not.
 * A vassal master starting again (after its first start) also counts.
 */
export class CrashCounter {
  deaths = 0;
  starts = 0;
  private pendingThrottle = false;
  private vassalStarts = 0;

  feed(line: string): void {
    if (DAEMON_THROTTLE_RE.test(line)) {
      this.deaths++;
      this.pendingThrottle = true;
      return;
    }
    const m = DAEMON_SPAWN_RE.exec(line);
    if (m !== null) {
      this.starts++;
      if (m[1] !== undefined && !this.pendingThrottle) this.deaths++;
      this.pendingThrottle = false;
      return;
    }
    if (VASSAL_START_RE.test(line)) {
      this.vassalStarts++;
      if (this.vassalStarts > 1) this.deaths++;
    }
  }
}

export async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

export interface LogTail {
  /** reads what is new now (also done every interval) */
  poll(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Follows `path` from byte `offset`, calling `onLine` for each complete line.
 * The file may not exist yet; a file that shrinks (rotation) is read from 0.
 */
export function tailFile(path: string, offset: number, onLine: (line: string) => void, clock: Clock, intervalMs = 100): LogTail {
  let pos = offset;
  let partial = '';
  let stopped = false;
  let running: Promise<void> = Promise.resolve();

  const readNew = async (): Promise<void> => {
    const size = await fileSize(path);
    if (size < pos) pos = 0;
    if (size === pos) return;
    const fd = await open(path, 'r').catch(() => null);
    if (fd === null) return;
    try {
      const buf = Buffer.alloc(Math.min(size - pos, 1 << 20));
      const { bytesRead } = await fd.read(buf, 0, buf.length, pos);
      pos += bytesRead;
      const lines = (partial + buf.subarray(0, bytesRead).toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    } finally {
      await fd.close();
    }
  };
  const poll = (): Promise<void> => {
    running = running.then(readNew, readNew);
    return running;
  };
  const loop = async (): Promise<void> => {
    while (!stopped) {
      await poll();
      await clock.sleep(intervalMs);
    }
  };
  const looping = loop();
  return {
    poll,
    stop: async () => {
      stopped = true;
      await looping;
      await poll();
      if (partial !== '') onLine(partial);
      partial = '';
    },
  };
}
