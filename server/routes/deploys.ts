/** /v1/apps/:app/deploys (upload → 202), deploy events (SSE), releases, rollback. */
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Hono } from 'hono';
import { routeByName } from '../../shared-protocol/api/index.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { requireApp } from '../services/apps.ts';
import type { Db } from '../db/open.ts';
import type { DeployRegistry } from '../deploy/events.ts';
import type { Pipeline } from '../deploy/pipeline.ts';
import { listReleases, releaseView } from '../deploy/releases-repo.ts';
import type { createRollback } from '../deploy/rollback.ts';
import type { AppEnv } from '../http/context.ts';
import { mountRoute, type MountDeps } from '../http/mount.ts';
import { sseResponse } from '../http/sse.ts';
import type { Logger } from '../log.ts';

export interface DeployRouteDeps {
  readonly db: Db;
  readonly pipeline: Pipeline;
  readonly rollback: ReturnType<typeof createRollback>;
  readonly registry: DeployRegistry;
  readonly log: Logger;
  /** before accepting work that needs the runtime (throws E_EMPEROR_UNAVAILABLE) */
  readonly ensureRuntime: () => void;
}

const GZIP_TYPES = /^application\/(x-)?gzip\s*(;|$)/i;

export function registerDeployRoutes(app: Hono<AppEnv>, mount: MountDeps, deps: DeployRouteDeps): void {
  mountRoute(app, routeByName('deploys.create'), mount, async ({ params, token, c, requestId }) => {
    const type = c.req.header('content-type') ?? '';
    if (!GZIP_TYPES.test(type)) {
      throw new Hop3Error('E_UNSUPPORTED_MEDIA_TYPE', `a deploy upload is a tar.gz sent as Content-Type application/gzip, got ${JSON.stringify(type.slice(0, 100))}`);
    }
    const body = c.req.raw.body;
    if (body === null) throw new Hop3Error('E_UPLOAD_EMPTY', 'the deploy request has no body');
    deps.ensureRuntime();
    const source = Readable.fromWeb(body as unknown as WebReadableStream<Uint8Array>);
    const ref = await deps.pipeline.accept(params.app, source, { createdBy: token?.name ?? null });
    deps.log.info('deploy accepted', { app: params.app, deploy: ref.id, release: ref.release, token: token?.name, request_id: requestId });
    return c.json({ deploy: ref }, 202);
  });

  mountRoute(app, routeByName('deploys.events'), mount, ({ params, c }) => {
    requireApp(deps.db, params.app);
    const run = deps.registry.get(params.app, params.id);
    if (run === undefined) throw new Hop3Error('E_DEPLOY_NOT_FOUND', `app ${params.app} has no deploy ${params.id} (finished deploys are in \`hop3 releases\`)`);
    const last = Number(c.req.header('last-event-id') ?? '0');
    return sseResponse(run.stream(Number.isSafeInteger(last) && last > 0 ? last : 0), { headers: { 'x-request-id': c.get('requestId') } });
  });

  mountRoute(app, routeByName('releases.list'), mount, ({ params }) => {
    const row = requireApp(deps.db, params.app);
    return { app: row.name, releases: listReleases(deps.db, row.id).map((r) => releaseView(r, row.currentReleaseId)) };
  });

  mountRoute(app, routeByName('releases.rollback'), mount, ({ params, body, c, token, requestId }) => {
    deps.ensureRuntime();
    const ref = deps.rollback.start(params.app, body.release);
    deps.log.info('rollback accepted', { app: params.app, deploy: ref.id, release: ref.release, token: token?.name, request_id: requestId });
    return c.json({ deploy: ref }, 202);
  });
}
