/**
 * A running app: status, start/stop/restart, process scale, logs, and one-off
 * commands (`hop3 run`) in the current release.
 */
import { Type, type Static } from '@sinclair/typebox';
import { AppName, AppParams, ERROR_CODE_KEY } from './common.ts';
import { AppSummary } from './apps.ts';
import { DeployRef } from './deploys.ts';
import { defineRoute, NoQuery, QueryFlag } from './define.ts';
import { ReleaseView } from './releases.ts';

/** Procfile / [run.workers] process type. */
export const ProcessType = Type.String({ pattern: '^[A-Za-z0-9_-]{1,63}$', [ERROR_CODE_KEY]: 'E_PROCESS_TYPE_NOT_FOUND' });

export const ProcessView = Type.Object(
  {
    /** "web.1" */
    label: Type.String(),
    type: Type.String(),
    index: Type.Integer({ minimum: 1 }),
    release: Type.Integer({ minimum: 1 }),
    /** loopback port of a web process */
    port: Type.Union([Type.Integer(), Type.Null()]),
    /** the app process, null while uWSGI (re)spawns it */
    pid: Type.Union([Type.Integer(), Type.Null()]),
    state: Type.Union([Type.Literal('running'), Type.Literal('starting'), Type.Literal('down')]),
  },
  { additionalProperties: false },
);
export type ProcessView = Static<typeof ProcessView>;

/** Most copies of one process type (nginx balances over at most 32 web ports). */
export const MAX_SCALE = 32;
export const Scale = Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]{1,63}$' }), Type.Integer({ minimum: 0, maximum: MAX_SCALE }), {
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 64,
  [ERROR_CODE_KEY]: 'E_INVALID_SCALE',
});
export type Scale = Static<typeof Scale>;

export const ProcessList = Type.Object(
  {
    app: Type.String(),
    /** The current release's process types and counts (what runs when the app is started). */
    scale: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
    processes: Type.Array(ProcessView),
  },
  { additionalProperties: false },
);
export type ProcessList = Static<typeof ProcessList>;

export const AppStatus = Type.Object(
  {
    app: AppSummary,
    /** http://<first hostname>/ once a release is live */
    url: Type.Union([Type.String(), Type.Null()]),
    release: Type.Union([ReleaseView, Type.Null()]),
    scale: Type.Record(Type.String(), Type.Integer({ minimum: 0 })),
    processes: Type.Array(ProcessView),
    /** A deploy or rollback running now. */
    deploy: Type.Union([DeployRef, Type.Null()]),
  },
  { additionalProperties: false },
);
export type AppStatus = Static<typeof AppStatus>;

export const AppAction = Type.Union([Type.Literal('start'), Type.Literal('stop'), Type.Literal('restart')], {
  [ERROR_CODE_KEY]: 'E_ROUTE_NOT_FOUND',
});
export type AppAction = Static<typeof AppAction>;

export const LogLine = Type.Object(
  {
    /** "web.1"; "" for lines that are not from a process */
    process: Type.String(),
    release: Type.Integer({ minimum: 0 }),
    line: Type.String(),
  },
  { additionalProperties: false },
);
export type LogLine = Static<typeof LogLine>;

export const LogsQuery = Type.Object(
  {
    /** last lines per process (default 100, at most 10000) */
    lines: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$' })),
    /** true: text/event-stream of `log` events (LogLine), the last lines then new ones, until the client leaves */
    follow: Type.Optional(QueryFlag),
    /** only this process type ("web") or process ("web.1") */
    process: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,63}(\\.[1-9][0-9]{0,2})?$' })),
  },
  { additionalProperties: false },
);

export const LogsResponse = Type.Object({ app: Type.String(), lines: Type.Array(LogLine) }, { additionalProperties: false });
export type LogsResponse = Static<typeof LogsResponse>;

export const RunBody = Type.Object(
  {
    /** An argv array (run as is, no shell) or one shell line (run with /bin/sh -c). */
    command: Type.Union([
      Type.Array(Type.String({ maxLength: 4096, pattern: '^[^\\u0000]*$' }), { minItems: 1, maxItems: 256 }),
      Type.String({ minLength: 1, maxLength: 16384, pattern: '^[^\\u0000]*$' }),
    ]),
    /** default 600, at most 3600 */
    timeout_s: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
  },
  { additionalProperties: false },
);
export type RunBody = Static<typeof RunBody>;

/** SSE `output` of POST /run. */
export const RunOutputEvent = Type.Object(
  { stream: Type.Union([Type.Literal('stdout'), Type.Literal('stderr')]), line: Type.String() },
  { additionalProperties: false },
);
export type RunOutputEvent = Static<typeof RunOutputEvent>;
/** SSE `exit` of POST /run: the last event. */
export const RunExitEvent = Type.Object(
  {
    exit_code: Type.Union([Type.Integer(), Type.Null()]),
    signal: Type.Union([Type.String(), Type.Null()]),
    timed_out: Type.Boolean(),
    duration_ms: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type RunExitEvent = Static<typeof RunExitEvent>;
export const RUN_EVENTS = { output: RunOutputEvent, exit: RunExitEvent } as const;

const ActionParams = Type.Object({ app: AppName, action: AppAction }, { additionalProperties: false });
const NOT_LIVE = ['E_INVALID_APP_NAME', 'E_APP_NOT_FOUND', 'E_NO_LIVE_RELEASE'] as const;

export const PROCESS_ROUTES = [
  defineRoute({
    name: 'apps.status',
    method: 'GET',
    path: '/v1/apps/:app/status',
    summary: 'The app, its current release, its processes (all releases), and the deploy running now if any.',
    auth: true,
    params: AppParams,
    query: NoQuery,
    body: undefined,
    response: AppStatus,
    status: 200,
    errors: ['E_INVALID_APP_NAME', 'E_APP_NOT_FOUND'],
  }),
  defineRoute({
    name: 'apps.action',
    method: 'POST',
    path: '/v1/apps/:app/actions/:action',
    summary:
      'start: run the current release at its scale and health-check it (the site is re-applied); stop: stop every process (nginx answers 502 meanwhile); ' +
      'restart: reload every process of the current release in place (about 1 s without each; a redeploy or rollback has no downtime), or start it when stopped.',
    auth: true,
    params: ActionParams,
    query: NoQuery,
    body: undefined,
    response: ProcessList,
    status: 200,
    errors: [...NOT_LIVE, 'E_DEPLOY_IN_PROGRESS'],
  }),
  defineRoute({
    name: 'processes.list',
    method: 'GET',
    path: '/v1/apps/:app/processes',
    summary: 'The current scale and every process of the app.',
    auth: true,
    params: AppParams,
    query: NoQuery,
    body: undefined,
    response: ProcessList,
    status: 200,
    errors: ['E_INVALID_APP_NAME', 'E_APP_NOT_FOUND'],
  }),
  defineRoute({
    name: 'processes.scale',
    method: 'PATCH',
    path: '/v1/apps/:app/processes',
    summary: 'Scale process types of the current release, e.g. {"web":3,"worker":1} (0 stops a type); new web copies join nginx once healthy. Kept for later deploys.',
    auth: true,
    params: AppParams,
    query: NoQuery,
    body: Scale,
    response: ProcessList,
    status: 200,
    errors: [...NOT_LIVE, 'E_INVALID_SCALE', 'E_PROCESS_TYPE_NOT_FOUND', 'E_DEPLOY_IN_PROGRESS'],
  }),
  defineRoute({
    name: 'logs.get',
    method: 'GET',
    path: '/v1/apps/:app/logs',
    summary: 'The last ?lines= lines of each process log of the app, oldest first; with ?follow=true a text/event-stream of `log` events (LogLine) instead, following new lines.',
    auth: true,
    params: AppParams,
    query: LogsQuery,
    body: undefined,
    response: LogsResponse,
    status: 200,
    errors: ['E_INVALID_APP_NAME', 'E_APP_NOT_FOUND'],
  }),
  defineRoute({
    name: 'apps.run',
    method: 'POST',
    path: '/v1/apps/:app/run',
    summary:
      'Run a one-off command in the current release dir with the app env (no PORT): a text/event-stream of `output` events then one `exit` event. ' +
      'The command is killed (whole process group) at the timeout or when the client disconnects.',
    auth: true,
    params: AppParams,
    query: NoQuery,
    body: RunBody,
    response: Type.Union([RunOutputEvent, RunExitEvent]),
    status: 200,
    stream: 'sse',
    errors: [...NOT_LIVE],
  }),
] as const;
