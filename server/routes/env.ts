/** /v1/apps/:app/env: show (secrets masked unless asked, and the asking is logged) and patch. */
import type { Hono } from 'hono';
import { flagValue, routeByName } from '../../shared-protocol/api/index.ts';
import type { AppEnv } from '../http/context.ts';
import { mountRoute, type MountDeps } from '../http/mount.ts';
import type { Logger } from '../log.ts';
import type { EnvService } from '../services/env.ts';

export function registerEnvRoutes(app: Hono<AppEnv>, mount: MountDeps, deps: { env: EnvService; log: Logger }): void {
  mountRoute(app, routeByName('env.show'), mount, ({ params, query, token, requestId }) => {
    const reveal = flagValue(query.show_secrets);
    if (reveal) deps.log.info('secrets revealed', { app: params.app, token: token?.name, request_id: requestId });
    return deps.env.show(params.app, reveal);
  });
  mountRoute(app, routeByName('env.update'), mount, ({ params, body, token, requestId }) => {
    const list = deps.env.update(params.app, body);
    deps.log.info('env changed', {
      app: params.app,
      token: token?.name,
      request_id: requestId,
      set: Object.keys(body.set ?? {}),
      unset: body.unset ?? [],
    });
    return list;
  });
}
