/** The upload progress line on stderr: redrawn in place on a terminal, printed once at the end otherwise. */
import type { Io } from '../output.ts';

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

export interface ProgressLine {
  update(sentBytes: number): void;
  done(sentBytes: number, ms: number): void;
  /** End a redrawn line after a failure, so the error starts on its own line. */
  abort(): void;
}

export function progressLine(io: Io, label: string, now: () => number = Date.now): ProgressLine {
  let last = 0;
  let drawn = false;
  return {
    update(sent) {
      if (!io.errIsTTY) return;
      const t = now();
      if (t - last < 100) return;
      last = t;
      drawn = true;
      io.err(`\r\u001b[2K${label}: ${bytes(sent)} sent`);
    },
    done(sent, ms) {
      io.err(`${drawn ? '\r\u001b[2K' : ''}${label}: ${bytes(sent)} sent in ${(ms / 1000).toFixed(1)} s\n`);
    },
    abort() {
      if (drawn) io.err('\n');
    },
  };
}
