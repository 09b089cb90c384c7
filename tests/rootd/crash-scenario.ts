/**
 * Crash consistency, run by crash.test.ts inside `unshare -m -n --propagation private`
 * (it refuses to run anywhere else): real nft, real mount(8), real nginx, a
 * cgroupfs-shaped tree, and a real rootd (crash-runner.ts) behind its socket.
 *
 * 1. For every state-write step and every mutating op: start rootd with
 *    HOP3_ROOTD_TEST_CRASH_AT=<step>:1, send the op, let rootd SIGKILL itself
 *    at that step; the state file must then be the old one or the new one.
 * 2. Mid-op: start rootd, send an op, SIGKILL it after a random delay.
 * After every kill, a restarted rootd reconciles and the host must match the
 * state exactly: the same marked nft rules, mounts under APP_ROOT, cgroup
 * leaves with their caps, and nginx sites (served, or 444 when absent) — no
 * leak and no duplicate. Prints one JSON summary line; exit 0 when all held.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { RootdConfig } from '../../rootd/config.ts';
import { parseState, WRITE_STEPS, type RootdState } from '../../rootd/state.ts';
import { makeFakeCgroupTree } from './fake-cgroupfs.ts';
import { makeTempRootdConfig } from './helpers.ts';
import { freeNginxPort, rawGet, startNginx, writeTestNginxConf } from './nginx-harness.ts';
import { startServe, type ServeChild } from './socket-harness.ts';

// ---- safety: never run in the host's namespaces ----------------------------------------
const parentNs = (process.env['HOP3_PARENT_NS'] ?? '').split(' ').filter(Boolean);
const ownNs = [readlinkSync('/proc/self/ns/net'), readlinkSync('/proc/self/ns/mnt')];
if (parentNs.length !== 2 || parentNs.some((ns) => ownNs.includes(ns))) {
  process.stderr.write(`crash-scenario: refusing to run outside private mount+network namespaces (${ownNs.join(' ')})\n`);
  process.exit(3);
}
execFileSync('/usr/sbin/ip', ['link', 'set', 'lo', 'up']);

const RUNNER = ['--import', 'tsx', join(import.meta.dirname, 'crash-runner.ts')];
const APP = 'crash';
const HOST = 'crash.example.test';
const failures: string[] = [];
const counts = { crash_runs: 0, killed_at_step: 0, killed_in_reconcile: 0, no_write: 0, mid_op_kills: 0, converged_checks: 0 };

// ---- setup --------------------------------------------------------------------------------
const tree = makeFakeCgroupTree();
const base = makeTempRootdConfig({
  cgroup_root: tree.root,
  binaries: { nft: '/usr/sbin/nft', mount: '/usr/bin/mount', umount: '/usr/bin/umount' },
  firewall: { policy: 'drop' },
});
const ngxDir = join(base.dir, 'nginx');
const httpPort = await freeNginxPort();
const httpsPort = await freeNginxPort();
const config: RootdConfig = {
  ...base.config,
  nginx: {
    ...base.config.nginx,
    binary: '/usr/sbin/nginx',
    prefix: ngxDir,
    pid_file: join(ngxDir, 'nginx.pid'),
    error_log: join(ngxDir, 'error.log'),
    http_port: httpPort,
    https_port: httpsPort,
  },
};
chmodSync(join(base.dir, 'run'), 0o750);
mkdirSync(join(config.app_root, APP, 'src', 'cache'), { recursive: true });
const configFile = join(base.dir, 'rootd.json');
writeFileSync(configFile, JSON.stringify(config, null, 2), { mode: 0o600 });
writeTestNginxConf(config);
const nginx = await startNginx(config);

// ---- the ops, and what each one's "new" state looks like -----------------------------------
interface Op {
  readonly name: string;
  params(s: RootdState): Record<string, unknown>;
  /** True when the state shows this op's effect. */
  done(s: RootdState): boolean;
}
const hasRule = (s: RootdState): boolean => s.firewall.rules.some((r) => r.app === APP);
const hasMount = (s: RootdState): boolean => s.mount.mounts.some((m) => m.app === APP);
const OPS: readonly Op[] = [
  { name: 'firewall.add_rule', params: () => ({ app: APP, port: 25000, proto: 'tcp', source: 'any' }), done: hasRule },
  { name: 'mount.tmpfs', params: () => ({ app: APP, target: 'cache', size_bytes: 1 << 20, mode: 0o750 }), done: hasMount },
  { name: 'cgroup.ensure_slice', params: () => ({}), done: (s) => s.cgroup.slice },
  { name: 'cgroup.set_limits', params: () => ({ app: APP, memory_bytes: 256 << 20, pids: 64 }), done: (s) => APP in s.cgroup.leaves },
  { name: 'nginx.apply_site', params: () => ({ app: APP, hostnames: [HOST], upstream_ports: [24001] }), done: (s) => APP in s.nginx.sites },
  {
    name: 'firewall.remove_rule',
    params: (s) => ({ app: APP, rule_id: s.firewall.rules.find((r) => r.app === APP)?.id ?? 'fw-0000000000000000' }),
    done: (s) => !hasRule(s),
  },
  { name: 'mount.unmount', params: () => ({ app: APP, target: 'cache' }), done: (s) => !hasMount(s) },
  { name: 'cgroup.remove', params: () => ({ app: APP }), done: (s) => !(APP in s.cgroup.leaves) },
  { name: 'nginx.remove_site', params: () => ({ app: APP }), done: (s) => !(APP in s.nginx.sites) },
];

// ---- helpers --------------------------------------------------------------------------------
const readStateText = (): string => readFileSync(config.state_file, 'utf8');
function readState(): RootdState {
  return parseState(readStateText(), config.state_file); // throws on a torn or corrupt file
}

/** One request; resolves with the reply, or null when the connection closed without one (rootd died). */
function send(op: string, params: Record<string, unknown>): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const sock = connect(config.socket.path);
    let buf = '';
    sock.on('connect', () => sock.write(JSON.stringify({ v: 1, id: 'crash', op, params }) + '\n'));
    sock.on('data', (b: Buffer) => {
      buf += b.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        resolve(JSON.parse(buf.slice(0, nl)) as Record<string, unknown>);
        sock.destroy();
      }
    });
    sock.on('error', () => resolve(null));
    sock.on('close', () => resolve(null));
  });
}

function exitOf(child: ServeChild): Promise<NodeJS.Signals | number | null> {
  if (child.proc.exitCode !== null || child.proc.signalCode !== null) return Promise.resolve(child.proc.signalCode ?? child.proc.exitCode);
  return new Promise((r) => child.proc.once('exit', (code, sig) => r(sig ?? code)));
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
  const out = await Promise.race([p, t]);
  clearTimeout(timer);
  return out;
}

function fail(where: string, what: string): void {
  failures.push(`${where}: ${what}`);
}

/** The host, observed directly (not through rootd), must match the state exactly. */
async function checkConverged(where: string): Promise<void> {
  counts.converged_checks++;
  const s = readState();
  // state dir: no temp file survives a restart
  const stray = readdirSync(join(base.dir, 'state')).filter((n) => n.includes('.tmp-'));
  if (stray.length) fail(where, `stale state temp files ${stray.join(', ')}`);
  // firewall: marked rules in table inet hop3
  const nft = JSON.parse(execFileSync('/usr/sbin/nft', ['-j', 'list', 'table', 'inet', 'hop3'], { encoding: 'utf8' })) as { nftables: Array<{ rule?: { comment?: string } }> };
  const live = nft.nftables.flatMap((e) => (e.rule?.comment?.startsWith('hop3:') ? [e.rule.comment.slice(5)] : [])).sort();
  const want = s.firewall.rules.map((r) => r.id).sort();
  if (JSON.stringify(live) !== JSON.stringify(want)) fail(where, `nft rules ${JSON.stringify(live)} != state ${JSON.stringify(want)}`);
  // mounts under APP_ROOT
  const mounted = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((p) => p.startsWith(config.app_root + '/')).sort();
  const wantMounts = s.mount.mounts.map((m) => join(config.app_root, m.app, 'src', m.target)).sort();
  if (JSON.stringify(mounted) !== JSON.stringify(wantMounts)) fail(where, `mounts ${JSON.stringify(mounted)} != state ${JSON.stringify(wantMounts)}`);
  // cgroup leaves and caps
  const sliceDir = join(tree.root, 'hop3.slice');
  if (s.cgroup.slice !== existsSync(sliceDir)) fail(where, `slice exists=${existsSync(sliceDir)} but state says ${s.cgroup.slice}`);
  const leaves = existsSync(sliceDir) ? readdirSync(sliceDir).filter((n) => /^hop3-app-.*\.scope$/.test(n)).map((n) => n.slice(9, -6)).sort() : [];
  const wantLeaves = Object.keys(s.cgroup.leaves).sort();
  if (JSON.stringify(leaves) !== JSON.stringify(wantLeaves)) fail(where, `cgroup leaves ${JSON.stringify(leaves)} != state ${JSON.stringify(wantLeaves)}`);
  for (const app of wantLeaves) {
    const mem = tree.read(`hop3.slice/hop3-app-${app}.scope/memory.max`).trim();
    const wantMem = String(s.cgroup.leaves[app]?.memory_bytes ?? 'max');
    if (mem !== wantMem) fail(where, `memory.max of ${app} is ${mem}, state says ${wantMem}`);
  }
  // nginx: marked site files, no pending mark, and what the running nginx serves
  const sites = readdirSync(config.nginx.site_dir)
    .filter((n) => n.endsWith('.conf'))
    .flatMap((n) => {
      const first = readFileSync(join(config.nginx.site_dir, n), 'utf8').split('\n')[0] ?? '';
      const m = /^# hop3-rootd managed: app=(.+)$/.exec(first);
      return m?.[1] ? [m[1]] : [];
    })
    .sort();
  const wantSites = Object.keys(s.nginx.sites).sort();
  if (JSON.stringify(sites) !== JSON.stringify(wantSites)) fail(where, `site files ${JSON.stringify(sites)} != state ${JSON.stringify(wantSites)}`);
  if (existsSync(join(config.nginx.site_dir, '.hop3-reload-pending'))) fail(where, 'nginx reload still marked pending');
  const res = await rawGet(httpPort, HOST);
  const served = res.status !== null; // 502 from the (absent) upstream when the site is live, 444 (no bytes) when not
  if (served !== APP in s.nginx.sites) fail(where, `nginx ${served ? 'serves' : 'does not serve'} ${HOST} (status ${res.status}) but state has site=${APP in s.nginx.sites}`);
}

async function startPlain(where: string): Promise<ServeChild | null> {
  try {
    return await startServe(configFile, config.socket.path, {}, RUNNER);
  } catch (e) {
    fail(where, `rootd did not restart: ${(e as Error).message.slice(0, 400)}`);
    return null;
  }
}

/** Restart, check convergence, then apply `op` for real so the cycle moves on, and check again. */
async function recoverAndApply(op: Op, where: string): Promise<void> {
  const plain = await startPlain(where);
  if (!plain) return;
  try {
    await checkConverged(`${where} after restart`);
    if (op.done(readState())) return; // the crashed op had committed: reconcile already realized it
    const rep = await send(op.name, op.params(readState()));
    if (rep?.['ok'] !== true) fail(where, `${op.name} on a healthy rootd failed: ${JSON.stringify(rep)}`);
    await checkConverged(`${where} after re-applying`);
  } finally {
    await plain.stop();
  }
}

// ---- 1. kill -9 at every step of a state write, for every op --------------------------------
for (const step of WRITE_STEPS) {
  for (const op of OPS) {
    const where = `${op.name} @ ${step}`;
    counts.crash_runs++;
    const pre = readStateText();
    const preState = readState();
    let child: ServeChild | null = null;
    try {
      child = await startServe(configFile, config.socket.path, { HOP3_ROOTD_TEST_CRASH_AT: `${step}:1` }, RUNNER);
    } catch {
      counts.killed_in_reconcile++; // the first state write was reconcile's own: also a crash point
    }
    if (child) {
      await send(op.name, op.params(preState));
      const how = await withTimeout(exitOf(child), 3000);
      if (how === 'SIGKILL') counts.killed_at_step++;
      else {
        counts.no_write++; // the op needed no state write (already in place): rootd keeps running
        await child.stop();
      }
    }
    let post: RootdState;
    try {
      post = readState();
    } catch (e) {
      fail(where, `state file unreadable after the kill: ${(e as Error).message}`);
      continue;
    }
    if (readStateText() !== pre && !op.done(post)) fail(where, 'state is neither the old one nor one showing the op');
    await recoverAndApply(op, where);
  }
}

// ---- 2. kill -9 mid-op, at random moments ----------------------------------------------------
let seed = Number(process.env['CRASH_SEED'] ?? Date.now() % 100000);
const firstSeed = seed;
const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
for (let i = 0; i < OPS.length; i++) {
  const op = OPS[i % OPS.length]!;
  const where = `${op.name} mid-op #${i}`;
  const child = await startPlain(where);
  if (!child) continue;
  const reply = send(op.name, op.params(readState()));
  await new Promise((r) => setTimeout(r, Math.floor(rand() * 40)));
  child.proc.kill('SIGKILL');
  await exitOf(child);
  await reply;
  counts.mid_op_kills++;
  try {
    readState();
  } catch (e) {
    fail(where, `state file unreadable after the kill: ${(e as Error).message}`);
    continue;
  }
  await recoverAndApply(op, where);
}

// ---- teardown: leave nothing mounted in this namespace, stop nginx ---------------------------
await nginx.stop();
for (const m of readState().mount.mounts) spawnSync('/usr/bin/umount', ['-l', join(config.app_root, m.app, 'src', m.target)]);
base.cleanup();
tree.cleanup();
process.stdout.write(JSON.stringify({ ok: failures.length === 0, seed: firstSeed, counts, failures }) + '\n');
process.exit(failures.length === 0 ? 0 : 1);
