/**
 * A real deploy stack for the CLI: hop3-rootd (temp socket, nft/mount as
 * /bin/false) driving a real nginx on a temp prefix and a port below 32768,
 * and `hop3-server serve` as a child process with a local uWSGI emperor on
 * temp dirs, its token made by `hop3-server admin create-token`. Only
 * processes started here are stopped, by pid: the server (its emperor and
 * vassals stop with it), rootd, nginx, then any app process of this stack's
 * apps that survived.
 */
import { join } from 'node:path';
import { rawGet, type RawResponse } from '../rootd/nginx-harness.ts';
import { startRootdStack } from '../support/rootd-stack.ts';
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

export async function startDeployStack(): Promise<DeployStack> {
  const stack = await startRootdStack();
  const apps: string[] = [];
  try {
    const portMin = 22000 + Math.floor(Math.random() * 40) * 200;
    const server = await startServer({
      env: {
        HOP3_ROOTD_SOCKET: stack.config.socket.path,
        HOP3_APP_ROOT: stack.config.app_root,
        HOP3_APP_START_TIMEOUT: '20',
        HOP3_EMPEROR: 'local',
        HOP3_VASSAL_DIR: stack.runtime.vassals,
        HOP3_RUN_DIR: stack.runtime.run,
        HOP3_APP_LOG_DIR: stack.runtime.logs,
        HOP3_APP_PORT_MIN: String(portMin),
        HOP3_APP_PORT_MAX: String(portMin + 199),
        HOP3_KEEP_RELEASES: '3',
      },
    });
    return {
      server,
      nginxPort: stack.nginxPort,
      appRoot: stack.config.app_root,
      get: (host, path = '/') => rawGet(stack.nginxPort, host, path),
      track(app) {
        apps.push(app);
        return app;
      },
      async stop() {
        await server.stop();
        await stack.stop(apps.map((a) => `${a}__`));
      },
    };
  } catch (e) {
    await stack.stop();
    throw e;
  }
}
