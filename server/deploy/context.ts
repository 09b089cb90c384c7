/**
 * What the pipeline steps share: narrow dependencies (db, secrets, rootd,
 * runtime, clock, log, settings), the per-deploy state they fill in turn, and
 * the step runner that times each step into the event stream and the release
 * row.
 */
import type { DeployStep } from '../../shared-protocol/api/deploys.ts';
import type { StepRecord } from '../../shared-protocol/api/releases.ts';
import type { AppPlan } from '../../shared-protocol/config/index.ts';
import type { AddonFact } from '../../shared-protocol/config/resolve-env.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import type { UploadLimits } from '../../shared-protocol/upload/limits.ts';
import type { SecretBox } from '../crypto/secrets.ts';
import type { Db } from '../db/open.ts';
import type { Logger } from '../log.ts';
import type { RootdClient } from '../rootd-client.ts';
import type { Clock } from '../runtime/clock.ts';
import type { RuntimeLayout } from '../runtime/layout.ts';
import type { ProcessManager } from '../runtime/processes.ts';
import type { StartedProcess } from '../runtime/ready.ts';
import type { AppRow } from '../services/apps.ts';
import type { DeployRun } from './events.ts';
import type { ReleaseRow } from './releases-repo.ts';

export interface AppRuntime {
  readonly manager: ProcessManager;
  readonly layout: RuntimeLayout;
  readonly clock: Clock;
}

export interface PipelineSettings {
  readonly appRoot: string;
  readonly serverDomain: string;
  /** APP_START_TIMEOUT, seconds */
  readonly startTimeoutS: number;
  /** release trees kept besides the current one */
  readonly keepReleases: number;
  readonly runTimeoutS: number;
  readonly uploadLimits?: Partial<UploadLimits>;
}

export interface PipelineDeps {
  readonly db: Db;
  readonly secrets: SecretBox;
  readonly rootd: Pick<RootdClient, 'call'>;
  readonly runtime: AppRuntime;
  readonly clock: () => Date;
  readonly log: Logger;
  readonly settings: PipelineSettings;
  /** The addon lifecycle, for [[addons]] auto-provisioning and env injection (server/addons/service.ts). */
  readonly addons?: AddonsPort;
}

export interface AddonsPort {
  ensureDeclared(app: string, declared: readonly { type: string; name: string | null; extensions: readonly string[] }[]): Promise<string[]>;
  factsForApp(app: string): AddonFact[];
}

/** One deploy's state, filled step by step. */
export interface DeployState {
  readonly run: DeployRun;
  app: AppRow;
  release: ReleaseRow;
  /** r<number>: the release dir name and the vassals' release id */
  readonly rid: string;
  readonly dir: string;
  /** the release serving when the deploy started */
  readonly previous: ReleaseRow | undefined;
  readonly steps: StepRecord[];
  readonly startedMs: number;
  plan?: AppPlan;
  /** static root relative to the release dir, for static sites */
  staticRoot: string | null;
  env?: Record<string, string>;
  /** generated env values to persist once the deploy is live */
  generated: Record<string, string>;
  scale: Record<string, number>;
  started: StartedProcess[];
  /** nginx points at this release: a later failure must point it back */
  switched: boolean;
}

export interface StepResult {
  readonly detail?: string;
  readonly skipped?: boolean;
}

export function say(st: DeployState, step: DeployStep, line: string, source: 'pipeline' | 'build' | 'hook' | 'app' = 'pipeline'): void {
  st.run.log({ step, source, line });
}

/** Runs one step: start event, the work, end event with duration and outcome, recorded on the state. */
export async function runStep(st: DeployState, deps: Pick<PipelineDeps, 'clock'>, step: DeployStep, work: () => Promise<StepResult | void>): Promise<void> {
  const started = performance.now();
  st.run.step({ step, phase: 'start', at: deps.clock().toISOString() });
  let outcome: StepRecord['outcome'] = 'ok';
  let detail: string | undefined;
  try {
    const r = await work();
    if (r?.skipped === true) outcome = 'skipped';
    detail = r?.detail;
  } catch (e) {
    outcome = 'failed';
    detail = isHop3Error(e) ? e.code : 'unexpected error';
    throw e;
  } finally {
    const duration = Math.round(performance.now() - started);
    st.steps.push({ step, duration_ms: duration, outcome });
    st.run.step({ step, phase: 'end', at: deps.clock().toISOString(), duration_ms: duration, outcome, ...(detail === undefined ? {} : { detail }) });
  }
}
