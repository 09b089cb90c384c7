/**
 * Step 5: run the prerun (before-run) and release commands in the release
 * dir with the release env (a failure aborts: nothing was started), apply
 * [limits] through rootd (cgroup), then write the release's vassals: every
 * process type at its scale, web copies on fresh ports with $PORT.
 */
import type { AppPlan } from '../../../shared-protocol/config/index.ts';
import { Hop3Error } from '../../../shared-protocol/errors.ts';
import type { RootdClient } from '../../rootd-client.ts';
import { runOneOff } from '../../runtime/oneoff.ts';
import type { ProcessManager, ReleaseSpec } from '../../runtime/processes.ts';
import type { StartedProcess } from '../../runtime/ready.ts';

/** Release hooks get at most this long each. */
export const HOOK_TIMEOUT_MS = 10 * 60_000;

export async function runReleaseHooks(plan: AppPlan, cwd: string, env: Readonly<Record<string, string>>, onLine: (line: string) => void): Promise<number> {
  let ran = 0;
  for (const name of ['prerun', 'release'] as const) {
    const hook = plan.hooks[name];
    if (hook === undefined) continue;
    ran++;
    onLine(`[${name}] $ ${hook.command}`);
    const r = await runOneOff({ command: hook.command, cwd, env, timeoutMs: HOOK_TIMEOUT_MS, onLine: (line) => onLine(`${name} | ${line}`) });
    if (r.exitCode !== 0 || r.timedOut) {
      const how = r.timedOut ? `timed out after ${HOOK_TIMEOUT_MS / 1000} s` : r.signal !== null ? `was killed by ${r.signal}` : `exited with ${r.exitCode}`;
      throw new Hop3Error('E_RELEASE_COMMAND_FAILED', `the ${name} command (${hook.command}) ${how}`, { details: { hook: name, exit_code: r.exitCode } });
    }
  }
  return ran;
}

/** The cgroup limits of [limits], applied before any process starts (rootd fails loud when the host cannot enforce them). */
export async function applyLimits(rootd: Pick<RootdClient, 'call'>, app: string, plan: AppPlan): Promise<boolean> {
  const l = plan.config.limits;
  if (l === null || (l.memoryBytes === null && l.cpu === null && l.processes === null)) return false;
  await rootd.call('cgroup.set_limits', {
    app,
    ...(l.memoryBytes === null ? {} : { memory_bytes: l.memoryBytes }),
    ...(l.cpu === null ? {} : { cpu: { quota_us: Math.max(1000, Math.round(l.cpu * 100_000)), period_us: 100_000 } }),
    ...(l.processes === null ? {} : { pids: l.processes }),
  });
  return true;
}

/** Moves the release's app processes into the app's cgroup leaf (after they are up, so their pids are known). */
export async function attachToLimits(rootd: Pick<RootdClient, 'call'>, app: string, pids: readonly number[]): Promise<void> {
  const unique = [...new Set(pids)];
  if (unique.length > 0) await rootd.call('cgroup.attach_pids', { app, pids: unique });
}

export function releaseSpec(app: string, rid: string, cwd: string, env: Readonly<Record<string, string>>, plan: AppPlan, scale: Readonly<Record<string, number>>): ReleaseSpec {
  const processes: Record<string, { command: string; count: number }> = {};
  for (const [type, p] of Object.entries(plan.processes)) processes[type] = { command: p.command, count: scale[type] ?? 1 };
  return { app, release: rid, cwd, env, processes };
}

export function startProcesses(manager: ProcessManager, spec: ReleaseSpec): Promise<StartedProcess[]> {
  return manager.startRelease(spec);
}
