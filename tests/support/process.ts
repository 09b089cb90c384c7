/** Shared process helpers for the test harnesses. */
import type { ChildProcess } from 'node:child_process';

/** Resolves true once `child` has exited, or false after `ms`. */
export function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}
