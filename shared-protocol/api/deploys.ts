/**
 * /v1/apps/:app/deploys: upload a tar.gz and follow the deploy over SSE.
 *
 * POST answers 202 once the upload is extracted into a fresh release dir; the
 * pipeline (config, build, env, start, health check, switch, record) goes on
 * in the background, and a client that disconnects never aborts it. The
 * events route replays a deploy's events from the start and follows it until
 * its `end` event. A rollback is a deploy without upload and build, so it has
 * the same events (shared-protocol/api/releases.ts).
 */
import { Type, type Static } from '@sinclair/typebox';
import { AppName, ERROR_CODE_KEY } from './common.ts';
import { defineRoute, NoQuery, Timestamp } from './define.ts';
import { UPLOAD_API_ERRORS, type UploadApiCode } from './errors.ts';

/** Opaque deploy id, e.g. dep-3f9a1c0b7d2e. */
export const DeployId = Type.String({
  minLength: 1,
  maxLength: 40,
  pattern: '^[a-z0-9][a-z0-9-]{0,39}$',
  description: 'Deploy id as returned by POST /v1/apps/:app/deploys or /rollback',
  [ERROR_CODE_KEY]: 'E_DEPLOY_NOT_FOUND',
});

/** Where a deploy is; ends in live or failed. */
export const DeployStatus = Type.Union([
  Type.Literal('receiving'),
  Type.Literal('building'),
  Type.Literal('starting'),
  Type.Literal('live'),
  Type.Literal('failed'),
]);
export type DeployStatus = Static<typeof DeployStatus>;

export const DeployKind = Type.Union([Type.Literal('deploy'), Type.Literal('rollback')]);

export const DeployRef = Type.Object(
  {
    id: Type.String(),
    app: Type.String(),
    kind: DeployKind,
    /** Release number this deploy creates (deploy) or brings back (rollback). */
    release: Type.Integer({ minimum: 1 }),
    status: DeployStatus,
    started_at: Timestamp,
  },
  { additionalProperties: false },
);
export type DeployRef = Static<typeof DeployRef>;

export const DeployAccepted = Type.Object({ deploy: DeployRef }, { additionalProperties: false });
export type DeployAccepted = Static<typeof DeployAccepted>;

/** Pipeline steps, in order; a rollback runs start, health, switch, record. */
export const DeployStep = Type.Union([
  Type.Literal('receive'),
  Type.Literal('config'),
  Type.Literal('build'),
  Type.Literal('env'),
  Type.Literal('start'),
  Type.Literal('health'),
  Type.Literal('switch'),
  Type.Literal('record'),
]);
export type DeployStep = Static<typeof DeployStep>;
export const DEPLOY_STEPS: readonly DeployStep[] = ['receive', 'config', 'build', 'env', 'start', 'health', 'switch', 'record'];

export const ErrorInfoView = Type.Object(
  { code: Type.String(), message: Type.String(), hint: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
export type ErrorInfoView = Static<typeof ErrorInfoView>;

/** SSE `step`: a step starts (phase start) or ends (phase end, with its duration and outcome). */
export const StepEvent = Type.Object(
  {
    step: DeployStep,
    phase: Type.Union([Type.Literal('start'), Type.Literal('end')]),
    at: Timestamp,
    /** phase end only */
    duration_ms: Type.Optional(Type.Integer({ minimum: 0 })),
    /** phase end only; skipped = nothing to do (e.g. no build for a static site) */
    outcome: Type.Optional(Type.Union([Type.Literal('ok'), Type.Literal('failed'), Type.Literal('skipped')])),
    /** one line of summary, e.g. "node (npm ci), cache hit" or "web.1 :20123 200 in 412 ms" */
    detail: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type StepEvent = Static<typeof StepEvent>;

/**
 * SSE `log`: one line of output. source: pipeline (the server's own notes and
 * config warnings), build (builder output), hook (release / prerun commands),
 * app (the new processes' log during the health check, "web.1 | ..." lines).
 */
export const LogEvent = Type.Object(
  {
    step: DeployStep,
    source: Type.Union([Type.Literal('pipeline'), Type.Literal('build'), Type.Literal('hook'), Type.Literal('app')]),
    line: Type.String(),
  },
  { additionalProperties: false },
);
export type LogEvent = Static<typeof LogEvent>;

/**
 * SSE `secret`: a generated env value marked display = true in [env]. It is
 * sent only in this deploy's event stream (kept in server memory while the
 * deploy's events are), never stored in the release record or the logs.
 */
export const SecretEvent = Type.Object({ name: Type.String(), value: Type.String() }, { additionalProperties: false });
export type SecretEvent = Static<typeof SecretEvent>;

/** SSE `end`: the last event. A failed deploy left the previous release serving. */
export const EndEvent = Type.Object(
  {
    status: Type.Union([Type.Literal('live'), Type.Literal('failed')]),
    kind: DeployKind,
    release: Type.Integer({ minimum: 1 }),
    duration_ms: Type.Integer({ minimum: 0 }),
    /** live only: http://<first hostname>/ */
    url: Type.Optional(Type.String()),
    /** failed only */
    error: Type.Optional(ErrorInfoView),
  },
  { additionalProperties: false },
);
export type EndEvent = Static<typeof EndEvent>;

/** Event name → payload schema of the deploy event stream (each event's SSE id is its sequence number from 1). */
export const DEPLOY_EVENTS = { step: StepEvent, log: LogEvent, secret: SecretEvent, end: EndEvent } as const;
export type DeployEventName = keyof typeof DEPLOY_EVENTS;
export type DeployEvent =
  | { readonly event: 'step'; readonly data: StepEvent }
  | { readonly event: 'log'; readonly data: LogEvent }
  | { readonly event: 'secret'; readonly data: SecretEvent }
  | { readonly event: 'end'; readonly data: EndEvent };

const UPLOAD_CODES = Object.keys(UPLOAD_API_ERRORS) as UploadApiCode[];

export const DeployParams = Type.Object({ app: AppName, id: DeployId }, { additionalProperties: false });
const AppOnlyParams = Type.Object({ app: AppName }, { additionalProperties: false });

export const DEPLOY_ROUTES = [
  defineRoute({
    name: 'deploys.create',
    method: 'POST',
    path: '/v1/apps/:app/deploys',
    summary:
      'Deploy: the body is the app as a tar.gz stream (Content-Type application/gzip; limits and E_UPLOAD_* refusals in docs/builds.md). ' +
      'Creates the app when it does not exist. Answers 202 once the upload is extracted; follow GET .../deploys/:id/events. ' +
      'One deploy or rollback at a time per app.',
    auth: true,
    params: AppOnlyParams,
    query: NoQuery,
    body: undefined,
    rawBody: 'application/gzip',
    response: DeployAccepted,
    status: 202,
    errors: ['E_INVALID_APP_NAME', 'E_DOMAIN_TAKEN', 'E_DEPLOY_IN_PROGRESS', 'E_UNSUPPORTED_MEDIA_TYPE', ...UPLOAD_CODES],
  }),
  defineRoute({
    name: 'deploys.events',
    method: 'GET',
    path: '/v1/apps/:app/deploys/:id/events',
    summary:
      'The deploy events as text/event-stream: step, log, secret and a final end event, replayed from the start (or after Last-Event-ID) and followed until the end. ' +
      'Each event data is JSON (DEPLOY_EVENTS in shared-protocol/api/deploys.ts).',
    auth: true,
    params: DeployParams,
    query: NoQuery,
    body: undefined,
    response: Type.Union([StepEvent, LogEvent, SecretEvent, EndEvent]),
    status: 200,
    stream: 'sse',
    errors: ['E_INVALID_APP_NAME', 'E_APP_NOT_FOUND', 'E_DEPLOY_NOT_FOUND'],
  }),
] as const;
