/** Test helpers: a temp rootd config tree with an initialized state file. */
import { mkdtempSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RootdConfig } from '../../rootd/config.ts';
import { initStateFile } from '../../rootd/state.ts';

export interface TempRootd {
  readonly dir: string;
  readonly config: RootdConfig;
  cleanup(): void;
}

export function makeTempRootdConfig(overrides: Partial<RootdConfig> = {}): TempRootd {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'hop3-rootd-')));
  for (const d of ['run', 'state', 'apps', 'cgroup', 'nginx/sites', 'tls', 'log']) mkdirSync(join(dir, d), { recursive: true });
  const config: RootdConfig = {
    socket: { path: join(dir, 'run', 'rootd.sock'), group: 0, allowed_uids: [] },
    state_file: join(dir, 'state', 'state.json'),
    op_log: join(dir, 'log', 'oplog.jsonl'),
    app_root: join(dir, 'apps'),
    cgroup_root: join(dir, 'cgroup'),
    nginx: { binary: '/usr/sbin/nginx', conf: join(dir, 'nginx', 'nginx.conf'), site_dir: join(dir, 'nginx', 'sites'), tls_dir: join(dir, 'tls') },
    binaries: { nft: '/usr/sbin/nft', mount: '/usr/bin/mount', umount: '/usr/bin/umount' },
    bind_allowlist: [],
    ...overrides,
  };
  initStateFile(config.state_file);
  return { dir, config, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const ROOT_PEER = { uid: 0, gid: 0, pid: 1 } as const;
