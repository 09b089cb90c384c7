/**
 * Runs mount.* scenarios against the real kernel. NOT a test file: it is
 * spawned by mount-kernel.test.ts as
 *   unshare -m -n --propagation private -- node --import tsx tests/rootd/mount-ns-runner.ts <workdir> [scenario...]
 * and refuses to run unless its mount and network namespaces differ from the
 * spawning test's, so no mount (or stray firewall call) can reach the host.
 * Prints one JSON line per scenario:
 *   {"scenario": name, "ok": true, "facts": {...}} | {"scenario": name, "ok": false, "error": "..."}
 * The test asserts on the facts; the scenarios only observe.
 */
import { nsEnv, refuseHostNamespaces } from './mount-ns-env.ts';
import { basicScenarios } from './mount-ns-scenarios-basic.ts';
import { treeScenarios } from './mount-ns-scenarios-tree.ts';

refuseHostNamespaces();
const workdir = process.argv[2];
if (workdir === undefined) throw new Error('usage: mount-ns-runner.ts <workdir> [scenario...]');
const env = nsEnv(workdir);
const scenarios = { ...basicScenarios(env), ...treeScenarios(env) };

const only = process.argv.slice(3);
for (const [name, fn] of Object.entries(scenarios)) {
  if (only.length > 0 && !only.includes(name)) continue;
  try {
    const facts = await fn();
    process.stdout.write(JSON.stringify({ scenario: name, ok: true, facts }) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ scenario: name, ok: false, error: (e as Error).stack ?? String(e) }) + '\n');
  }
}
await env.rootd.close();
