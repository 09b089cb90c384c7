/**
 * A real uWSGI emperor on a temp directory, with a ProcessManager wired to
 * it. Tests kill only what they started: the emperor by its pid (its vassals
 * stop with it), then any leftover app process of their own apps, by pid.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../server/runtime/clock.ts';
import { startLocalEmperor, type LocalEmperor } from '../../server/runtime/emperor.ts';
import type { RuntimeLayout } from '../../server/runtime/layout.ts';
import { PortAllocator, type PortRange } from '../../server/runtime/ports.ts';
import { ProcessManager } from '../../server/runtime/processes.ts';
import { VassalStore } from '../../server/runtime/vassal-store.ts';

export const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

export interface Harness {
  readonly root: string;
  readonly emperor: LocalEmperor;
  readonly store: VassalStore;
  readonly layout: RuntimeLayout;
  readonly manager: ProcessManager;
  /** a fresh, valid app name (tests never share apps) */
  appName(prefix: string): string;
  /** pids of hop3 vassal masters still alive for this harness's apps */
  leftovers(): Promise<number[]>;
  stop(): Promise<void>;
}

export async function startHarness(range: PortRange): Promise<Harness> {
  const root = mkdtempSync(join(tmpdir(), 'hop3-runtime-'));
  const dirs = { vassalDir: join(root, 'vassals'), runDir: join(root, 'run'), logDir: join(root, 'logs') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const emperor = await startLocalEmperor({ vassalDir: dirs.vassalDir, pidFile: join(root, 'emperor.pid'), logFile: join(root, 'emperor.log') });
  const store = new VassalStore(dirs.vassalDir);
  const layout = { runDir: dirs.runDir, logDir: dirs.logDir };
  const manager = new ProcessManager({ store, emperor, ports: new PortAllocator({ range }), clock: systemClock, layout });
  const apps: string[] = [];
  const leftovers = async (): Promise<number[]> => {
    const pids: number[] = [];
    for (const e of readdirSync('/proc')) {
      if (!/^[0-9]+$/.test(e)) continue;
      const cmd = await readFile(`/proc/${e}/cmdline`, 'utf8').catch(() => '');
      if (apps.some((a) => cmd.startsWith(`hop3 ${a}__`))) pids.push(Number(e));
    }
    return pids;
  };
  return {
    root, emperor, store, layout, manager, leftovers,
    appName: (prefix) => {
      const name = `${prefix}-${randomBytes(3).toString('hex')}`;
      apps.push(name);
      return name;
    },
    stop: async () => {
      await emperor.stop();
      for (const pid of await leftovers()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** GET http://127.0.0.1:<port><path>: status and body, or the connection error code. */
export async function get(port: number, path = '/'): Promise<{ status: number; body: string } | { error: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(3000) });
    return { status: res.status, body: await res.text() };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause;
    return { error: cause?.code ?? String(e) };
  }
}
