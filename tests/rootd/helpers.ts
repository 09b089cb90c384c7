/** Test helpers: a temp rootd config tree with an initialized state file. */
import { mkdtempSync, mkdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RootdConfig } from '../../rootd/config.ts';
import { initStateFile } from '../../rootd/state.ts';

/** A binary that does nothing and fails: the default for every system command in tests. */
export const SAFE_BINARY = '/bin/false';

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
    // Every system binary defaults to /bin/false: a test that wants the real nft, mount or
    // nginx must opt in explicitly and confine it (network/mount namespace, temp prefix).
    // The host's firewall, mount table and nginx are never touched by a default config.
    nginx: { binary: SAFE_BINARY, conf: join(dir, 'nginx', 'nginx.conf'), site_dir: join(dir, 'nginx', 'sites'), tls_dir: join(dir, 'tls') },
    binaries: { nft: SAFE_BINARY, mount: SAFE_BINARY, umount: SAFE_BINARY },
    bind_allowlist: [],
    ...overrides,
  };
  initStateFile(config.state_file);
  return { dir, config, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const ROOT_PEER = { uid: 0, gid: 0, pid: 1 } as const;
