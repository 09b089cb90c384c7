/**
 * Everything real for the deploy pipeline tests: hop3-rootd (`rootd/bin.ts
 * serve` on a temp socket) driving a real nginx on a temp prefix and a port
 * below 32768, a hop3-server on port 0 with the deploy extension and a local
 * uWSGI emperor on temp dirs. nft, mount and umount stay /bin/false (the
 * firewall is never touched). Only processes started here are stopped, by
 * pid: nginx, rootd, the emperor (its vassals stop with it), then any app
 * process of this harness's apps that survived.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { SseParser, type ParsedSseEvent } from '../../shared-protocol/api/sse.ts';
import type { DeployAccepted, EndEvent } from '../../shared-protocol/api/deploys.ts';
import { createBundle } from '../../cli/bundle/bundle.ts';
import type { AddonsConfig } from '../../server/addons/config.ts';
import { createTokenStore } from '../../server/auth/tokens.ts';
import { resolveConfig } from '../../server/config.ts';
import { createDeployExtension, type DeployExtension } from '../../server/deploy/extension.ts';
import { memoryLogger } from '../../server/log.ts';
import { startServer, type RunningServer } from '../../server/server.ts';
import { rawGet, type RawResponse } from '../rootd/nginx-harness.ts';
import { startRootdStack } from '../support/rootd-stack.ts';

export const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

export interface DeployOutcome {
  readonly status: number;
  readonly accepted: DeployAccepted | null;
  readonly error: { code: string; message: string } | null;
  readonly events: ParsedSseEvent[];
  readonly end: EndEvent | null;
  readonly ms: number;
}

export interface DeployHarness {
  readonly dir: string;
  readonly appRoot: string;
  readonly vassalDir: string;
  readonly logDir: string;
  readonly nginxPort: number;
  readonly siteDir: string;
  readonly url: string;
  readonly token: string;
  readonly server: RunningServer;
  readonly ext: DeployExtension;
  appName(prefix: string): string;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }>;
  /** POST the app dir as a bundle, then follow the deploy events to the end. */
  deploy(app: string, appDir: string): Promise<DeployOutcome>;
  follow(app: string, id: string): Promise<{ events: ParsedSseEvent[]; end: EndEvent | null }>;
  get(host: string, path?: string): Promise<RawResponse>;
  stop(): Promise<void>;
}

export async function readSse(res: Response): Promise<ParsedSseEvent[]> {
  const parser = new SseParser();
  const events: ParsedSseEvent[] = [];
  const decoder = new TextDecoder();
  if (res.body === null) return events;
  for await (const chunk of res.body) events.push(...parser.push(decoder.decode(chunk as Uint8Array, { stream: true })));
  return events;
}

export interface DeployHarnessOptions {
  /** The server's `addons` section (admin connections to private instances); default: none offered. */
  readonly addons?: AddonsConfig;
}

export async function startDeployHarness(opts: DeployHarnessOptions = {}): Promise<DeployHarness> {
  const stack = await startRootdStack();
  const apps: string[] = [];
  const t = { dir: stack.dir, config: stack.config };
  const nginxPort = stack.nginxPort;
  const vassalDir = stack.runtime.vassals;
  const logDir = stack.runtime.logs;
  try {
    const portMin = 21000 + Math.floor(Math.random() * 40) * 200;
    const { config: resolved } = resolveConfig({
      env: {
        HOP3_LISTEN: '127.0.0.1:0',
        HOP3_DATA_DIR: join(t.dir, 'data'),
        HOP3_ROOTD_SOCKET: t.config.socket.path,
        HOP3_DOMAIN: 'hop3.test',
        HOP3_APP_ROOT: t.config.app_root,
        HOP3_APP_START_TIMEOUT: '20',
        HOP3_LOG_LEVEL: 'warn',
        HOP3_EMPEROR: 'local',
        HOP3_VASSAL_DIR: vassalDir,
        HOP3_RUN_DIR: stack.runtime.run,
        HOP3_APP_LOG_DIR: logDir,
        HOP3_APP_PORT_MIN: String(portMin),
        HOP3_APP_PORT_MAX: String(portMin + 199),
        HOP3_KEEP_RELEASES: '2',
      },
    });
    const config = opts.addons === undefined ? resolved : { ...resolved, addons: opts.addons };
    let ext: DeployExtension | undefined;
    const log = memoryLogger('warn');
    const server = await startServer(config, {
      log,
      extend: async (ctx) => (ext = await createDeployExtension(ctx)),
    });
    if (ext === undefined) throw new Error('no extension');
    const token = createTokenStore({ db: server.context.db, clock: () => new Date() }).create('test').token;
    const url = `http://${server.address}`;
    const headers = { authorization: `Bearer ${token}` };
    const h: DeployHarness = {
      dir: t.dir,
      appRoot: t.config.app_root,
      vassalDir,
      logDir,
      nginxPort,
      siteDir: t.config.nginx.site_dir,
      url,
      token,
      server,
      ext,
      appName(prefix) {
        const name = `${prefix}-${randomBytes(3).toString('hex')}`;
        apps.push(name);
        return name;
      },
      async api(method, path, body) {
        const res = await fetch(url + path, {
          method,
          headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        });
        const text = await res.text();
        let json: unknown = null;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        return { status: res.status, json };
      },
      async follow(app, id) {
        const res = await fetch(`${url}/v1/apps/${app}/deploys/${id}/events`, { headers });
        const events = await readSse(res);
        const last = events.find((e) => e.event === 'end');
        return { events, end: last === undefined ? null : (JSON.parse(last.data) as EndEvent) };
      },
      async deploy(app, appDir) {
        const started = performance.now();
        const { stream } = await createBundle(appDir);
        const chunks: Buffer[] = [];
        for await (const c of stream) chunks.push(c as Buffer);
        const res = await fetch(`${url}/v1/apps/${app}/deploys`, { method: 'POST', headers: { ...headers, 'content-type': 'application/gzip' }, body: Buffer.concat(chunks) });
        const json = (await res.json()) as DeployAccepted & { error?: { code: string; message: string } };
        if (res.status !== 202) return { status: res.status, accepted: null, error: json.error ?? null, events: [], end: null, ms: performance.now() - started };
        const { events, end } = await h.follow(app, json.deploy.id);
        return { status: res.status, accepted: json, error: null, events, end, ms: performance.now() - started };
      },
      get: (host, path = '/') => rawGet(nginxPort, host, path),
      async stop() {
        await server.close();
        await stack.stop(apps.map((a) => `${a}__`));
      },
    };
    return h;
  } catch (e) {
    await stack.stop();
    throw e;
  }
}

export function stepsOf(events: readonly ParsedSseEvent[]): string[] {
  return events
    .filter((e) => e.event === 'step')
    .map((e) => JSON.parse(e.data) as { step: string; phase: string; outcome?: string })
    .filter((s) => s.phase === 'end')
    .map((s) => `${s.step}:${s.outcome ?? ''}`);
}

/**
 * Polls `check` until it stops throwing, or rethrows its last error after `timeoutMs`.
 * The release a deploy or rollback supersedes stops just after the deploy reports
 * (traffic has already moved), so "the old processes are gone" is eventual.
 */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
