/**
 * What every end-to-end harness needs under a hop3-server: a real
 * `hop3-rootd serve` child and a real nginx on a temp prefix and a free port
 * below 32768, plus the runtime dirs (vassals, logs, run) of a local emperor.
 * Used by the server, CLI and e2e harnesses and by bench:deploy.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RootdConfig } from '../../rootd/config.ts';
import { freeNginxPort, startNginx, writeTestNginxConf, NGINX_BIN, type RunningNginx } from '../rootd/nginx-harness.ts';
import { makeServeConfig, startServe, type ServeChild } from '../rootd/socket-harness.ts';

export interface RootdStack {
  readonly dir: string;
  readonly config: RootdConfig;
  readonly nginxPort: number;
  readonly runtime: { readonly vassals: string; readonly logs: string; readonly run: string };
  /**
   * Stops rootd and nginx, SIGKILLs app processes left by vassals whose name
   * starts with one of `vassalPrefixes` ("<app>__" or a bench's app prefix),
   * and removes the temp tree.
   */
  stop(vassalPrefixes?: readonly string[]): Promise<void>;
}

/** Pids whose cmdline starts with "hop3 <prefix>": uWSGI vassal masters and what they run. */
async function vassalPids(prefixes: readonly string[]): Promise<number[]> {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(e)) continue;
    const cmd = await readFile(`/proc/${e}/cmdline`, 'utf8').catch(() => '');
    if (prefixes.some((p) => cmd.startsWith(`hop3 ${p}`))) pids.push(Number(e));
  }
  return pids;
}

export async function startRootdStack(): Promise<RootdStack> {
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
  const root = join(t.dir, 'runtime');
  const runtime = { vassals: join(root, 'vassals'), logs: join(root, 'logs'), run: join(root, 'run') };
  for (const d of Object.values(runtime)) mkdirSync(d, { recursive: true });
  writeTestNginxConf(t.config);
  let nginx: RunningNginx | undefined;
  let rootd: ServeChild | undefined;
  const stop = async (vassalPrefixes: readonly string[] = []): Promise<void> => {
    await rootd?.stop();
    await nginx?.stop();
    for (const pid of await vassalPids(vassalPrefixes)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    t.cleanup();
  };
  try {
    nginx = await startNginx(t.config);
    rootd = await startServe(t.configFile, t.config.socket.path);
  } catch (e) {
    await stop();
    throw e;
  }
  return { dir: t.dir, config: t.config, nginxPort, runtime, stop };
}
