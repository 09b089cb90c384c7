/**
 * A real deploy stack for the CLI: hop3-rootd (temp socket, nft/mount as
 * /bin/false) driving a real nginx on a temp prefix and a port below 32768,
 * and `hop3-server serve` as a child process with a local uWSGI emperor on
 * temp dirs, its token made by `hop3-server admin create-token`. Only
 * processes started here are stopped, by pid: the server (its emperor and
 * vassals stop with it), rootd, nginx, then any app process of this stack's
 * apps that survived.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freeNginxPort, rawGet, startNginx, writeTestNginxConf, NGINX_BIN, type RawResponse, type RunningNginx } from '../rootd/nginx-harness.ts';
import { makeServeConfig, startServe, type ServeChild } from '../rootd/socket-harness.ts';
import { startServer, type RunningServer } from './harness.ts';

export const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

export interface DeployStack {
  readonly server: RunningServer;
  readonly nginxPort: number;
  readonly appRoot: string;
  get(host: string, path?: string): Promise<RawResponse>;
  /** Remember an app name so that stop() can find its processes. */
  track(app: string): string;
  stop(): Promise<void>;
}

/** Pids of uWSGI vassal masters ("hop3 <app>__...") of these apps. */
async function leftovers(apps: readonly string[]): Promise<number[]> {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(e)) continue;
    const cmd = await readFile(`/proc/${e}/cmdline`, 'utf8').catch(() => '');
    if (apps.some((a) => cmd.startsWith(`hop3 ${a}__`))) pids.push(Number(e));
  }
  return pids;
}

export async function startDeployStack(): Promise<DeployStack> {
  const nginxPort = await freeNginxPort();
  const t = makeServeConfig((c) => ({
    ...c,
    nginx: {
      ...c.nginx,
      binary: NGINX_BIN,
      http_port: nginxPort,
      https_port: nginxPort + 1,
      prefix: join(c.nginx.site_dir, '..'),
      pid_file: join(c.nginx.site_dir, '..', 'nginx.pid'),
      error_log: join(c.nginx.site_dir, '..', 'error.log'),
    },
  }));
  const runtime = join(t.dir, 'runtime');
  for (const d of ['vassals', 'logs', 'run']) mkdirSync(join(runtime, d), { recursive: true });
  writeTestNginxConf(t.config);
  let nginx: RunningNginx | undefined;
  let rootd: ServeChild | undefined;
  const apps: string[] = [];
  try {
    nginx = await startNginx(t.config);
    rootd = await startServe(t.configFile, t.config.socket.path);
    const portMin = 22000 + Math.floor(Math.random() * 40) * 200;
    const server = await startServer({
      env: {
        HOP3_ROOTD_SOCKET: t.config.socket.path,
        HOP3_APP_ROOT: t.config.app_root,
        HOP3_APP_START_TIMEOUT: '20',
        HOP3_EMPEROR: 'local',
        HOP3_VASSAL_DIR: join(runtime, 'vassals'),
        HOP3_RUN_DIR: join(runtime, 'run'),
        HOP3_APP_LOG_DIR: join(runtime, 'logs'),
        HOP3_APP_PORT_MIN: String(portMin),
        HOP3_APP_PORT_MAX: String(portMin + 199),
        HOP3_KEEP_RELEASES: '3',
      },
    });
    const running = { nginx, rootd };
    return {
      server,
      nginxPort,
      appRoot: t.config.app_root,
      get: (host, path = '/') => rawGet(nginxPort, host, path),
      track(app) {
        apps.push(app);
        return app;
      },
      async stop() {
        await server.stop();
        await running.rootd.stop();
        await running.nginx.stop();
        for (const pid of await leftovers(apps)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone meanwhile
          }
        }
        t.cleanup();
      },
    };
  } catch (e) {
    await rootd?.stop();
    await nginx?.stop();
    t.cleanup();
    throw e;
  }
}
