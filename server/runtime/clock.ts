/** Time as the runtime sees it: injectable so tests can use a fake. */
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  /** milliseconds, monotonic enough for timeouts */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => delay(ms),
};
