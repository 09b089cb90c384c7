/**
 * Step 6: wait for the new processes: web copies until GET [healthcheck].path
 * (default /) answers 2xx/3xx, workers until they stay up; 5xx (but 503) or a
 * crash loop fails fast, the start timeout ([run].start-timeout, else the
 * server's APP_START_TIMEOUT) bounds it. The app's log lines stream meanwhile.
 */
import type { AppPlan } from '../../../shared-protocol/config/index.ts';
import type { ProcessManager } from '../../runtime/processes.ts';
import type { ReadyResult, StartedProcess } from '../../runtime/ready.ts';

export interface HealthInput {
  readonly plan: AppPlan;
  readonly started: readonly StartedProcess[];
  /** server-wide default, seconds */
  readonly defaultTimeoutS: number;
  readonly onLog: (line: string) => void;
}

export function healthOptions(plan: AppPlan, defaultTimeoutS: number): { timeoutMs: number; healthPath: string; requestTimeoutMs?: number } {
  const hc = plan.config.healthcheck;
  return {
    timeoutMs: (plan.config.run.startTimeout ?? defaultTimeoutS) * 1000,
    healthPath: hc?.path ?? '/',
    ...(hc?.timeout == null ? {} : { requestTimeoutMs: hc.timeout * 1000 }),
  };
}

export async function waitForRelease(manager: ProcessManager, input: HealthInput): Promise<{ results: ReadyResult[]; detail: string }> {
  const opts = healthOptions(input.plan, input.defaultTimeoutS);
  const results = await manager.waitReady(input.started, { ...opts, onLog: input.onLog });
  const parts = results.map((r) => (r.health === null ? `${r.label} up` : `${r.label} :${r.port} ${r.health.status} after ${r.health.attempts} tries`));
  return { results, detail: `${parts.join(', ')} (GET ${opts.healthPath})` };
}

/** Every app pid of the ready processes (for the cgroup leaf). */
export function readyPids(results: readonly ReadyResult[]): number[] {
  return results.flatMap((r) => (r.pid === null ? [] : [r.pid]));
}
