/**
 * Composition: builds exec, state, op log, health, every family's handlers and
 * the dispatcher from rootd's config. The listener (listener.ts) feeds it lines.
 */
import { createExec, type Exec } from './exec.ts';
import { createDispatcher, type Dispatcher } from './dispatch.ts';
import { HealthTracker } from './health.ts';
import { OpLog } from './oplog.ts';
import { StateStore, type StateStoreOptions } from './state.ts';
import type { RootdConfig } from './config.ts';
import { createDaemonHandlers } from './ops/daemon.ts';
import { countFirewall, createFirewallHandlers, reconcileFirewall, type FirewallDeps } from './ops/firewall.ts';
import { countMount, createMountHandlers, reconcileMount, type MountDeps } from './ops/mount.ts';
import { countCgroup, createCgroupHandlers, reconcileCgroup, type CgroupDeps } from './ops/cgroup.ts';
import { countNginx, createNginxHandlers, reconcileNginx, type NginxDeps } from './ops/nginx.ts';
import type { HandlerTable, ReconcileReport } from './ops/types.ts';

export interface RootdOptions {
  /** Replace the real exec wrapper (unit tests pass a fake). */
  readonly exec?: Exec;
  readonly state?: StateStoreOptions;
  readonly clock?: () => Date;
  readonly logInternal?: (ref: string, err: unknown) => void;
  /** Replace the cgroup filesystem/process access (test runners drive a cgroupfs-shaped tree). */
  readonly cgroup?: Pick<CgroupDeps, 'fs' | 'proc'>;
}

export interface Rootd {
  readonly config: RootdConfig;
  readonly dispatcher: Dispatcher;
  readonly state: StateStore;
  readonly oplog: OpLog;
  readonly health: HealthTracker;
  /** Re-assert state, remove orphans; logged and reported in daemon.health. */
  reconcile(): Promise<{ changes: string[]; errors: string[] }>;
  close(): Promise<void>;
}

export function createRootd(config: RootdConfig, opts: RootdOptions = {}): Rootd {
  const clock = opts.clock ?? (() => new Date());
  const exec =
    opts.exec ??
    createExec(
      { nft: config.binaries.nft, mount: config.binaries.mount, umount: config.binaries.umount, nginx: config.nginx.binary },
      config.exec_timeout_ms,
    );
  const state = StateStore.open(config.state_file, opts.state);
  const oplog = OpLog.open(config.op_log, clock);
  const health = new HealthTracker(clock);

  const firewall: FirewallDeps = { exec, state, policy: config.firewall?.policy ?? 'accept' };
  const mount: MountDeps = { exec, state, appRoot: config.app_root, bindAllowlist: config.bind_allowlist };
  const cgroup: CgroupDeps = { state, cgroupRoot: config.cgroup_root, attachUids: config.cgroup_attach_uids ?? config.socket.allowed_uids.filter((u) => u !== 0), ...opts.cgroup };
  const nginx: NginxDeps = { exec, state, nginx: config.nginx, appRoot: config.app_root };

  const handlers: HandlerTable = {
    ...createDaemonHandlers({
      health,
      state,
      counts: () => ({ rules: countFirewall(firewall), mounts: countMount(mount), cgroups: countCgroup(cgroup), sites: countNginx(nginx) }),
    }),
    ...createFirewallHandlers(firewall),
    ...createMountHandlers(mount),
    ...createCgroupHandlers(cgroup),
    ...createNginxHandlers(nginx),
  };
  const dispatcher = createDispatcher({ handlers, oplog, health, ...(opts.logInternal ? { logInternal: opts.logInternal } : {}) });

  async function reconcile(): Promise<{ changes: string[]; errors: string[] }> {
    const started = performance.now();
    const passes: Array<[string, () => Promise<ReconcileReport>]> = [
      ['firewall', () => reconcileFirewall(firewall)],
      ['cgroup', () => reconcileCgroup(cgroup)],
      ['mount', () => reconcileMount(mount)],
      ['nginx', () => reconcileNginx(nginx)],
    ];
    const changes: string[] = [];
    const errors: string[] = [];
    for (const [family, pass] of passes) {
      try {
        const r = await pass();
        changes.push(...r.changes.map((c) => `${family}: ${c}`));
        errors.push(...r.errors.map((c) => `${family}: ${c}`));
      } catch (e) {
        errors.push(`${family}: ${(e as Error).message}`);
      }
    }
    const duration_ms = Math.round((performance.now() - started) * 1000) / 1000;
    health.lastReconcile = { at: clock().toISOString(), duration_ms, changes, errors };
    await oplog.append({ op: 'daemon.reconcile', outcome: 'event', duration_ms, details: { changes, errors } });
    return { changes, errors };
  }

  return {
    config,
    dispatcher,
    state,
    oplog,
    health,
    reconcile,
    close: () => oplog.close(),
  };
}
