/**
 * Following a deploy (or rollback) over SSE: steps with their durations,
 * build/hook/app output, generated secrets shown once, and the end event.
 * A dropped stream is resumed with Last-Event-ID (the server replays what
 * was missed); the deploy itself never depends on this client staying.
 */
import { DEPLOY_EVENTS, type EndEvent, type SecretEvent, type StepEvent } from '../../shared-protocol/api/deploys.ts';
import type { ApiClient } from '../client.ts';
import { CliError, isCliError } from '../errors.ts';
import { clean, type Io } from '../output.ts';
import { duration } from '../render-api.ts';
import { streamEvents } from '../stream.ts';

export interface FollowResult {
  readonly end: EndEvent;
  /** Finished steps, in order. */
  readonly steps: readonly StepEvent[];
  readonly secrets: readonly SecretEvent[];
}

export interface FollowOptions {
  readonly io: Io;
  /** Where the event log goes: stdout for humans, stderr when stdout carries JSON. */
  readonly logTo: 'out' | 'err';
  readonly maxReconnects?: number;
  readonly reconnectDelayMs?: number;
}

const PAD = '       ';

/** One event as human log text (no trailing newline), or null for events shown elsewhere. */
export function renderDeployEvent(ev: { event: 'step'; data: StepEvent } | { event: 'log'; data: { source: string; line: string } }): string {
  if (ev.event === 'log') return `${PAD}${clean(ev.data.line)}`;
  const s = ev.data;
  if (s.phase === 'start') return `-----> ${s.step}${s.detail === undefined ? '' : `: ${clean(s.detail)}`}`;
  const detail = s.detail === undefined ? '' : ` (${clean(s.detail)})`;
  return `${PAD}${s.step} ${s.outcome ?? 'done'}${s.outcome === 'skipped' ? '' : ` in ${duration(s.duration_ms)}`}${detail}`;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function followDeploy(client: ApiClient, app: string, id: string, options: FollowOptions): Promise<FollowResult> {
  const write = (t: string): void => (options.logTo === 'out' ? options.io.out(`${t}\n`) : options.io.err(`${t}\n`));
  const steps: StepEvent[] = [];
  const secrets: SecretEvent[] = [];
  let end: EndEvent | undefined;
  let lastEventId: string | undefined;
  let attempts = 0;
  const maxReconnects = options.maxReconnects ?? 5;
  for (;;) {
    try {
      const r = await streamEvents(
        client,
        'deploys.events',
        { params: { app, id } },
        DEPLOY_EVENTS,
        (ev) => {
          attempts = 0;
          switch (ev.event) {
            case 'step':
              if (ev.data.phase === 'end') steps.push(ev.data);
              write(renderDeployEvent(ev));
              return;
            case 'log':
              write(renderDeployEvent(ev));
              return;
            case 'secret':
              secrets.push(ev.data);
              options.io.err(`${PAD}generated ${clean(ev.data.name)}=${clean(ev.data.value)} (shown only this once; store it now)\n`);
              return;
            case 'end':
              end = ev.data;
              return 'stop';
          }
        },
        { lastEventId },
      );
      lastEventId = r.lastEventId;
    } catch (e) {
      // Transport trouble is retried; an answer from the server (404, 401...) is final.
      if (!isCliError(e) || e.code !== 'E_SERVER_UNREACHABLE' || attempts >= maxReconnects) throw e;
    }
    if (end !== undefined) return { end, steps, secrets };
    attempts += 1;
    if (attempts > maxReconnects) {
      throw new CliError('E_STREAM_CLOSED', `the event stream of deploy ${id} closed before its end`, {
        hint: `The deploy goes on without this client: see \`hop3 app status --app ${app}\` and \`hop3 releases --app ${app}\`.`,
      });
    }
    options.io.err(`hop3: event stream interrupted; resuming (${attempts}/${maxReconnects})…\n`);
    await sleep((options.reconnectDelayMs ?? 500) * attempts);
  }
}
