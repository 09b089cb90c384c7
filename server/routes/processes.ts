/** /v1/apps/:app/status, actions, processes (list, scale), logs (JSON or SSE), run (SSE). */
import type { Hono } from 'hono';
import { flagValue, routeByName } from '../../shared-protocol/api/index.ts';
import type { Control } from '../deploy/control.ts';
import { followLogs, MAX_LINES, readLogs } from '../deploy/logs.ts';
import { prepareRun, runCommand } from '../deploy/run-command.ts';
import type { PipelineDeps } from '../deploy/context.ts';
import type { AppEnv } from '../http/context.ts';
import { mountRoute, type MountDeps } from '../http/mount.ts';
import { sseResponse } from '../http/sse.ts';
import { requireApp } from '../services/apps.ts';

export interface ProcessRouteDeps {
  readonly control: Control;
  readonly pipeline: PipelineDeps;
  readonly ensureRuntime: () => void;
}

export function registerProcessRoutes(app: Hono<AppEnv>, mount: MountDeps, deps: ProcessRouteDeps): void {
  const { control } = deps;
  const { db, runtime, log } = deps.pipeline;
  mountRoute(app, routeByName('apps.status'), mount, ({ params }) => control.status(params.app));
  mountRoute(app, routeByName('apps.action'), mount, ({ params, token, requestId }) => {
    deps.ensureRuntime();
    log.info('app action', { app: params.app, action: params.action, token: token?.name, request_id: requestId });
    return control.action(params.app, params.action);
  });
  mountRoute(app, routeByName('processes.list'), mount, ({ params }) => control.list(params.app));
  mountRoute(app, routeByName('processes.scale'), mount, ({ params, body, token, requestId }) => {
    deps.ensureRuntime();
    log.info('app scale', { app: params.app, scale: body, token: token?.name, request_id: requestId });
    return control.scale(params.app, body);
  });
  mountRoute(app, routeByName('logs.get'), mount, async ({ params, query, c }) => {
    const row = requireApp(db, params.app);
    const lines = Math.min(MAX_LINES, query.lines === undefined ? 100 : Number(query.lines));
    if (flagValue(query.follow)) {
      return sseResponse(followLogs(runtime.layout, runtime.clock, row.name, lines, query.process), { headers: { 'x-request-id': c.get('requestId') } });
    }
    return { app: row.name, lines: await readLogs(runtime.layout, row.name, lines, query.process) };
  });
  mountRoute(app, routeByName('apps.run'), mount, ({ params, body, c, token, requestId }) => {
    const where = prepareRun(deps.pipeline, params.app);
    log.info('one-off command', { app: params.app, token: token?.name, request_id: requestId });
    const timeoutS = body.timeout_s ?? deps.pipeline.settings.runTimeoutS;
    return sseResponse(runCommand(where, { command: body.command, timeoutS }), { headers: { 'x-request-id': c.get('requestId') } });
  });
}
