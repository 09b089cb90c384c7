/**
 * `hop3-rootd serve` for the crash-consistency scenario: the same composition
 * as rootd/bin.ts (crash hook from HOP3_ROOTD_TEST_CRASH_AT, reconcile, the
 * real listener), except that the cgroup family is driven through the
 * cgroupfs-shaped tree at config.cgroup_root (this host has no usable cgroup v2
 * controllers). Usage: node --import tsx crash-runner.ts serve --config <file>
 */
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../rootd/config.ts';
import { crashHookFromEnv } from '../../rootd/crash-hook.ts';
import { listen } from '../../rootd/listener.ts';
import { createRootd } from '../../rootd/rootd.ts';
import { makeFakeCgroupTree } from './fake-cgroupfs.ts';

const args = process.argv.slice(2);
const configPath = args[args.indexOf('--config') + 1];
if (args[0] !== 'serve' || configPath === undefined) {
  process.stderr.write('usage: crash-runner.ts serve --config <file>\n');
  process.exit(2);
}
const config = parseConfig(readFileSync(configPath, 'utf8'), configPath);
const tree = makeFakeCgroupTree({ at: config.cgroup_root });
const hook = crashHookFromEnv(process.env['HOP3_ROOTD_TEST_CRASH_AT']);
const rootd = createRootd(config, {
  ...(hook ? { state: { onWriteStep: hook } } : {}),
  cgroup: { fs: tree.fs },
  logInternal: (ref, err) => process.stderr.write(`internal ${ref}: ${err instanceof Error ? err.stack : String(err)}\n`),
});
const rec = await rootd.reconcile();
for (const e of rec.errors) process.stderr.write(`reconcile error: ${e}\n`);
const listener = await listen(rootd);
process.stdout.write(`crash-runner ready pid=${process.pid} changes=${rec.changes.length} errors=${rec.errors.length}\n`);
process.on('SIGTERM', () => {
  void (async () => {
    await listener.close();
    await rootd.close();
    process.exit(0);
  })();
});
