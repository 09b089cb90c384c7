/**
 * bench:rootd — throughput and latency of a real `hop3-rootd serve` over its
 * Unix socket, and its memory.
 *
 * Starts rootd as a child on a temp socket (binaries pointed at /bin/false, a
 * cgroupfs-shaped temp tree with one app leaf), warms up, then measures
 * daemon.describe and a validated cgroup.read with 1 and 16 concurrent
 * clients (each client: one connection, one request in flight), and rootd's
 * VmRSS idle and under load. As a floor, the same 1-client loop runs against
 * a trivial Node echo server over a Unix socket in the same run.
 *
 * `npm run bench:rootd [-- --json] [-- --seconds N]`; with --json the last
 * line is {"bench":"rootd","figures":{name:{value,unit}}}. rootd runs with the V8 flags of
 * deploy/rootd.node-flags (as the installed launcher does) unless BENCH_NODE_FLAGS
 * (e.g. "--max-semi-space-size=2") is passed to rootd's node, to compare
 * V8 heap settings for the launcher.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCgroupHandlers } from '../rootd/ops/cgroup.ts';
import { StateStore } from '../rootd/state.ts';
import { makeFakeCgroupTree } from '../tests/rootd/fake-cgroupfs.ts';
import { makeServeConfig, REPO, startServe } from '../tests/rootd/socket-harness.ts';

const { values } = parseArgs({ options: { json: { type: 'boolean' }, seconds: { type: 'string' } } });
const SECONDS = Number(values.seconds ?? '3');

/** A connection that sends one line and waits for one reply line at a time. */
class Client {
  private buf = '';
  private waiter: ((line: string) => void) | null = null;
  private constructor(private readonly s: Socket) {
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      this.buf += d;
      const nl = this.buf.indexOf('\n');
      if (nl !== -1 && this.waiter) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        const w = this.waiter;
        this.waiter = null;
        w(line);
      }
    });
  }
  static open(path: string): Promise<Client> {
    return new Promise((resolve, reject) => {
      const s = connect(path, () => resolve(new Client(s)));
      s.once('error', reject);
    });
  }
  request(line: string): Promise<string> {
    return new Promise((resolve) => {
      this.waiter = resolve;
      this.s.write(line + '\n');
    });
  }
  close(): void {
    this.s.destroy();
  }
}

interface Run {
  readonly opsPerS: number;
  readonly p50: number;
  readonly p99: number;
  readonly n: number;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** `clients` connections, each sending `line` back to back for `seconds`. */
async function load(path: string, line: string, clients: number, seconds: number, check: (reply: string) => void): Promise<Run> {
  const conns = await Promise.all(Array.from({ length: clients }, () => Client.open(path)));
  const lat: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    conns.map(async (c) => {
      let first = true;
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const reply = await c.request(line);
        lat.push(performance.now() - t0);
        if (first) (check(reply), (first = false));
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  conns.forEach((c) => c.close());
  const sorted = Float64Array.from(lat).sort();
  return { opsPerS: lat.length / elapsed, p50: percentile(sorted, 50), p99: percentile(sorted, 99), n: lat.length };
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function withRssSampling<T>(pid: number, fn: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = rssMb(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 50);
  try {
    const result = await fn();
    return { result, peak: Math.max(peak, rssMb(pid)) };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Checks a reply by its envelope prefix ({"v":1,"id":<id>,"ok":true), so the
 * figure measures rootd, not this client's JSON.parse of a 27 KB describe body
 * (that cost is reported on its own as client_parse_describe_us). The replies'
 * content is checked by the contract tests, not here.
 */
const expectOk = (what: string, id: string) => {
  const prefix = `{"v":1,"id":${JSON.stringify(id)},"ok":true,`;
  return (reply: string): void => {
    if (reply.startsWith(prefix)) return;
    const r = JSON.parse(reply) as { ok: boolean; error?: unknown };
    throw new Error(`${what} failed: ${JSON.stringify(r.error ?? r)}`);
  };
};

/** Median µs for a client to JSON.parse one describe reply (the cost expectOk leaves out). */
async function clientParseMicros(sock: string, line: string): Promise<number> {
  const c = await Client.open(sock);
  const reply = await c.request(line);
  c.close();
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t0 = performance.now();
    JSON.parse(reply);
    times.push((performance.now() - t0) * 1000);
  }
  times.sort((a, b) => a - b);
  return times[100] ?? 0;
}

async function floor(dir: string, seconds: number): Promise<Run> {
  const path = join(dir, 'echo.sock');
  const server = createServer((s) => s.pipe(s));
  await new Promise<void>((r) => server.listen(path, r));
  try {
    return await load(path, '{"v":1,"id":"e","op":"daemon.describe","params":{}}', 1, seconds, () => undefined);
  } finally {
    server.close();
  }
}

async function main(): Promise<void> {
  const tree = makeFakeCgroupTree();
  const t = makeServeConfig((c) => ({ ...c, cgroup_root: tree.root }));
  // One app leaf with caps, made through rootd's own cgroup handlers on the kernel-emulating tree.
  {
    const state = StateStore.open(t.config.state_file);
    const h = createCgroupHandlers({ state, cgroupRoot: tree.root, fs: tree.fs });
    const ctx = { peer: { uid: 0, gid: 0, pid: process.pid }, requestId: 'bench-setup' };
    await h['cgroup.ensure_slice']({}, ctx);
    await h['cgroup.set_limits']({ app: 'bench', memory_bytes: 256 * 2 ** 20, cpu: { quota_us: 50_000, period_us: 100_000 }, pids: 128 }, ctx);
  }
  // Production runs rootd as one esbuild bundle (deploy/install-rootd.sh), not through tsx: bench that.
  const bundleDir = join(t.dir, 'lib');
  mkdirSync(join(bundleDir, 'build', 'Release'), { recursive: true });
  execFileSync(join(REPO, 'node_modules', '.bin', 'esbuild'), [
    join(REPO, 'rootd', 'bin.ts'), '--bundle', '--platform=node', '--format=esm', '--target=node20', '--log-level=warning',
    `--outfile=${join(bundleDir, 'rootd', 'hop3-rootd.mjs')}`,
  ]);
  copyFileSync(join(REPO, 'build', 'Release', 'peercred.node'), join(bundleDir, 'build', 'Release', 'peercred.node'));
  const child = await startServe(t.configFile, t.config.socket.path, {}, [...(process.env['BENCH_NODE_FLAGS'] ?? readFileSync(join(REPO, 'deploy', 'rootd.node-flags'), 'utf8')).split(/\s+/).filter(Boolean), join(bundleDir, 'rootd', 'hop3-rootd.mjs')]);
  const sock = t.config.socket.path;
  const describe = JSON.stringify({ v: 1, id: 'b1', op: 'daemon.describe', params: {} });
  const cgRead = JSON.stringify({ v: 1, id: 'b2', op: 'cgroup.read', params: { app: 'bench' } });
  const log = (s: string): void => void process.stdout.write(s + '\n');
  try {
    await new Promise((r) => setTimeout(r, 500));
    const rssIdle = rssMb(child.pid);
    log(`rootd pid ${child.pid}; RSS idle ${rssIdle.toFixed(1)} MB; ${SECONDS}s per measurement`);
    await load(sock, describe, 1, 1, expectOk('daemon.describe', 'b1')); // warm-up (JIT, caches)
    await load(sock, cgRead, 4, 1, expectOk('cgroup.read', 'b2'));

    const floor1 = await floor(t.dir, SECONDS);
    const d1 = await load(sock, describe, 1, SECONDS, expectOk('daemon.describe', 'b1'));
    const { result: d16, peak: peakD } = await withRssSampling(child.pid, () => load(sock, describe, 16, SECONDS, expectOk('daemon.describe', 'b1')));
    const c1 = await load(sock, cgRead, 1, SECONDS, expectOk('cgroup.read', 'b2'));
    const { result: c16, peak: peakC } = await withRssSampling(child.pid, () => load(sock, cgRead, 16, SECONDS, expectOk('cgroup.read', 'b2')));
    const rssLoad = Math.max(peakD, peakC);
    const parseUs = await clientParseMicros(sock, describe);

    const row = (name: string, r: Run): void =>
      log(`${name.padEnd(30)} ${r.opsPerS.toFixed(0).padStart(7)} ops/s   p50 ${r.p50.toFixed(3)} ms   p99 ${r.p99.toFixed(3)} ms   (n=${r.n})`);
    row('floor: echo server, 1 client', floor1);
    row('daemon.describe, 1 client', d1);
    row('daemon.describe, 16 clients', d16);
    row('cgroup.read, 1 client', c1);
    row('cgroup.read, 16 clients', c16);
    log(`RSS idle ${rssIdle.toFixed(1)} MB, under load (peak) ${rssLoad.toFixed(1)} MB (describe ${peakD.toFixed(1)}, cgroup.read ${peakC.toFixed(1)})`);
    const targets = [
      ['describe_ops_per_s_1 >= 5000', d1.opsPerS >= 5000],
      ['describe_p99_ms_1 <= 2', d1.p99 <= 2],
      ['rss_load_mb <= 60', rssLoad <= 60],
    ] as const;
    for (const [what, ok] of targets) log(`target ${what}: ${ok ? 'met' : 'NOT MET'}`);

    if (values.json) {
      const f = (value: number, unit: string): { value: number; unit: string } => ({ value: Math.round(value * 1000) / 1000, unit });
      log(
        JSON.stringify({
          bench: 'rootd',
          figures: {
            describe_ops_per_s_1: f(d1.opsPerS, 'ops/s'),
            describe_p50_ms_1: f(d1.p50, 'ms'),
            describe_p99_ms_1: f(d1.p99, 'ms'),
            describe_ops_per_s_16: f(d16.opsPerS, 'ops/s'),
            describe_p99_ms_16: f(d16.p99, 'ms'),
            cgroup_read_ops_per_s_1: f(c1.opsPerS, 'ops/s'),
            cgroup_read_p99_ms_1: f(c1.p99, 'ms'),
            cgroup_read_ops_per_s_16: f(c16.opsPerS, 'ops/s'),
            cgroup_read_p50_ms_16: f(c16.p50, 'ms'),
            cgroup_read_p99_ms_16: f(c16.p99, 'ms'),
            floor_echo_ops_per_s_1: f(floor1.opsPerS, 'ops/s'),
            floor_echo_p99_ms_1: f(floor1.p99, 'ms'),
            rss_idle_mb: f(rssIdle, 'MB'),
            rss_load_mb: f(rssLoad, 'MB'),
            client_parse_describe_us: f(parseUs, 'µs'),
          },
        }),
      );
    }
  } finally {
    await child.stop();
    t.cleanup();
    tree.cleanup();
  }
}

await main();
