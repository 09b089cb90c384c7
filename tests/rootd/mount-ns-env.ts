/**
 * The environment of the mount namespace runner: a refusal to run outside a
 * private mount+network namespace, a temp rootd tree, and small helpers the
 * scenarios share. Imported only by mount-ns-runner.ts (never by a test file).
 */
import { mkdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { RootdConfig } from '../../rootd/config.ts';
import { createExec } from '../../rootd/exec.ts';
import type { MountDeps } from '../../rootd/ops/mount.ts';
import { parseMountinfo } from '../../rootd/ops/mount-mountinfo.ts';
import { createRootd } from '../../rootd/rootd.ts';
import { initStateFile } from '../../rootd/state.ts';
import { ROOT_PEER } from './helpers.ts';

export const MOUNT = '/usr/bin/mount';
export const UMOUNT = '/usr/bin/umount';

/** Exit unless this process is in another mount AND network namespace than the spawning test. */
export function refuseHostNamespaces(): void {
  const hostNs = process.env['HOP3_TEST_HOST_MNT_NS'];
  const hostNet = process.env['HOP3_TEST_HOST_NET_NS'];
  if (
    hostNs === undefined ||
    hostNet === undefined ||
    !hostNs.startsWith('mnt:[') ||
    readlinkSync('/proc/self/ns/mnt') === hostNs ||
    readlinkSync('/proc/self/ns/net') === hostNet
  ) {
    process.stderr.write('mount-ns-runner: refusing to run outside a private mount+network namespace (spawn it from mount-kernel.test.ts)\n');
    process.exit(3);
  }
}

export type Reply = { ok: boolean; result?: Record<string, unknown>; error?: { code: string; message: string; hint?: string } };

export function nsEnv(workdir: string) {
  const dir = realpathSync(workdir);
  for (const d of ['apps', 'state', 'log', 'srv/shared', 'srv/other', 'outside', 'run', 'cgroup', 'nginx/sites', 'tls']) mkdirSync(join(dir, d), { recursive: true });
  const config: RootdConfig = {
    socket: { path: join(dir, 'run', 'rootd.sock'), group: 0, allowed_uids: [] },
    state_file: join(dir, 'state', 'state.json'),
    op_log: join(dir, 'log', 'oplog.jsonl'),
    app_root: join(dir, 'apps'),
    cgroup_root: join(dir, 'cgroup'),
    nginx: { binary: '/bin/false', conf: join(dir, 'nginx', 'nginx.conf'), site_dir: join(dir, 'nginx', 'sites'), tls_dir: join(dir, 'tls') },
    binaries: { nft: '/bin/false', mount: MOUNT, umount: UMOUNT },
    bind_allowlist: [join(dir, 'srv')],
  };
  initStateFile(config.state_file);
  const rootd = createRootd(config);
  const APPS = config.app_root;
  const realExec = createExec({ nft: '/bin/false', nginx: '/bin/false', mount: MOUNT, umount: UMOUNT });
  // Only the mount family reconciles here: rootd.reconcile() would also run the
  // firewall/nginx passes, which have no business in this test.
  const mountDeps: MountDeps = { exec: realExec, state: rootd.state, appRoot: APPS, bindAllowlist: config.bind_allowlist };
  let seq = 0;
  const call = async (op: string, params: unknown): Promise<Reply> =>
    JSON.parse(await rootd.dispatcher.handleLine(JSON.stringify({ v: 1, id: `t${++seq}`, op, params }), ROOT_PEER)) as Reply;
  const codeOf = (r: Reply): string => (r.ok ? 'OK' : (r.error?.code ?? '?'));
  const appDir = (app: string, ...segs: string[]): string => {
    const p = join(APPS, app, 'src', ...segs);
    mkdirSync(p, { recursive: true });
    return p;
  };
  const mountsAtPath = (p: string) => parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8')).filter((e) => e.mountPoint === p);
  const errnoOf = (fn: () => void): string => {
    try {
      fn();
      return 'OK';
    } catch (e) {
      return (e as NodeJS.ErrnoException).code ?? String(e);
    }
  };
  return { dir, config, rootd, APPS, realExec, mountDeps, call, codeOf, appDir, mountsAtPath, errnoOf };
}

export type NsEnv = ReturnType<typeof nsEnv>;
export type Scenarios = Record<string, () => Promise<Record<string, unknown>>>;
