/**
 * Deploy event streams, in memory: each deploy (or rollback) keeps its events
 * so any number of readers can replay them from the start (or after an id)
 * and follow until the end event. Finished deploys are kept for a while
 * (their release rows keep the summary for good). The buffer is bounded: past
 * MAX_EVENTS, log lines are dropped and counted, never silently.
 */
import { randomBytes } from 'node:crypto';
import type { DeployEvent, DeployRef, DeployStatus, EndEvent, LogEvent, StepEvent } from '../../shared-protocol/api/deploys.ts';
import type { SseEvent } from '../../shared-protocol/api/sse.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';

export const MAX_EVENTS = 50_000;
/** Finished deploys kept per app, and for how long. */
export const KEEP_FINISHED = 20;
export const KEEP_FINISHED_MS = 60 * 60_000;

export class DeployRun {
  readonly events: DeployEvent[] = [];
  status: DeployStatus = 'receiving';
  endedAt: number | null = null;
  private dropped = 0;
  private waiters = new Set<() => void>();

  constructor(
    readonly id: string,
    readonly app: string,
    readonly kind: 'deploy' | 'rollback',
    public release: number,
    readonly startedAt: Date,
  ) {}

  get done(): boolean {
    return this.endedAt !== null;
  }

  ref(): DeployRef {
    return { id: this.id, app: this.app, kind: this.kind, release: this.release, status: this.status, started_at: this.startedAt.toISOString() };
  }

  private push(ev: DeployEvent): void {
    if (this.done) return;
    if (ev.event === 'log' && this.events.length >= MAX_EVENTS) {
      this.dropped++;
      return;
    }
    if (this.dropped > 0 && ev.event !== 'log') {
      const note: LogEvent = { step: 'build', source: 'pipeline', line: `(${this.dropped} lines of output dropped: the event buffer is full)` };
      this.dropped = 0;
      this.events.push({ event: 'log', data: note });
    }
    this.events.push(ev);
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  step(data: StepEvent): void {
    this.push({ event: 'step', data });
  }

  log(data: LogEvent): void {
    this.push({ event: 'log', data });
  }

  secret(name: string, value: string): void {
    this.push({ event: 'secret', data: { name, value } });
  }

  end(data: EndEvent, now: number): void {
    this.status = data.status;
    this.push({ event: 'end', data });
    this.endedAt = now;
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  private next(): Promise<void> {
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  /** SSE events from sequence number `after` + 1 (ids are 1-based), following until the end event. */
  async *stream(after = 0): AsyncGenerator<SseEvent> {
    let i = Math.max(0, after);
    for (;;) {
      while (i < this.events.length) {
        const ev = this.events[i] as DeployEvent;
        i++;
        yield { event: ev.event, id: String(i), data: JSON.stringify(ev.data) };
        if (ev.event === 'end') return;
      }
      if (this.done) return;
      await this.next();
    }
  }
}

export class DeployRegistry {
  private readonly runs = new Map<string, DeployRun[]>();
  /** App → what holds its lock (a deploy id or an operation name). */
  private readonly busy = new Map<string, string>();

  /** App → background work an operation left behind (stopping a superseded release). */
  private readonly settling = new Map<string, Promise<void>>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /**
   * Registers work that finishes after an operation has reported (the previous
   * release stopping once traffic has moved). Operations that touch the app's
   * processes await `whenSettled` first, so they never race it.
   */
  settle(app: string, work: Promise<void>): void {
    const prev = this.settling.get(app) ?? Promise.resolve();
    const next: Promise<void> = prev
      .then(() => work)
      .catch(() => undefined)
      .finally(() => {
        if (this.settling.get(app) === next) this.settling.delete(app);
      });
    this.settling.set(app, next);
  }

  /** Resolves once no background work of any app is left (server shutdown). */
  async allSettled(): Promise<void> {
    while (this.settling.size > 0) await Promise.all([...this.settling.values()]);
  }

  /** Resolves once no background work of the app is left. */
  async whenSettled(app: string): Promise<void> {
    for (let p = this.settling.get(app); p !== undefined; p = this.settling.get(app)) await p;
  }

  /** Takes the app's lock for a synchronous operation (start, stop, scale, destroy); returns the unlock. */
  lock(app: string, what: string): () => void {
    const holder = this.busy.get(app);
    if (holder !== undefined) {
      throw new Hop3Error('E_DEPLOY_IN_PROGRESS', `app ${app} is busy (${holder}); one deploy, rollback or process change at a time`);
    }
    this.busy.set(app, what);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (this.busy.get(app) === what) this.busy.delete(app);
    };
  }

  /** Starts a deploy run holding the app's lock until `finish(run)`. */
  begin(app: string, kind: 'deploy' | 'rollback', release: number, startedAt: Date): DeployRun {
    const id = `dep-${randomBytes(6).toString('hex')}`;
    this.lock(app, `${kind} ${id}`);
    const run = new DeployRun(id, app, kind, release, startedAt);
    const list = this.runs.get(app) ?? [];
    list.push(run);
    this.runs.set(app, list);
    this.prune(app);
    return run;
  }

  /** Releases the app's lock (the run must have ended, or never got going). */
  finish(run: DeployRun): void {
    if (this.busy.get(run.app) === `${run.kind} ${run.id}`) this.busy.delete(run.app);
  }

  /** Forget a run that never produced events (its upload was refused). */
  discard(run: DeployRun): void {
    this.finish(run);
    const list = this.runs.get(run.app) ?? [];
    this.runs.set(run.app, list.filter((r) => r !== run));
  }

  get(app: string, id: string): DeployRun | undefined {
    return this.runs.get(app)?.find((r) => r.id === id);
  }

  /** The deploy or rollback of this app running now. */
  active(app: string): DeployRun | undefined {
    return this.runs.get(app)?.find((r) => !r.done);
  }

  /** Drop every run of an app (destroyed). */
  forget(app: string): void {
    this.runs.delete(app);
  }

  private prune(app: string): void {
    const list = this.runs.get(app) ?? [];
    const now = this.now();
    const finished = list.filter((r) => r.done);
    const tooMany = new Set(finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)));
    this.runs.set(app, list.filter((r) => !tooMany.has(r) && (r.endedAt === null || now - r.endedAt < KEEP_FINISHED_MS)));
  }
}
