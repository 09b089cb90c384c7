import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBuild, type BuildResult } from '../../server/builders/run.ts';
import { buildEnv } from '../../server/builders/env.ts';
import type { CacheStrategy } from '../../server/builders/node.ts';
import { tgzOf } from '../fixtures/uploads/corpus.ts';
import { listing } from './upload-helpers.ts';
import { realDeps, workspace, type Workspace } from './builders-helpers.ts';

const FAT_FILES = 1500;

/**
 * An app whose one dependency is a vendored npm tarball of FAT_FILES files
 * (so npm ci works offline and has real work to do), with a lockfile made by
 * npm itself, and a root postinstall that leaves a mark.
 */
async function fatApp(ws: Workspace, name: string, version = '1.0.0', fileCount = FAT_FILES): Promise<string> {
  const app = join(ws.root, name);
  await mkdir(join(app, 'vendor'), { recursive: true });
  const files = Array.from({ length: fileCount }, (_, i) => ({ path: `package/lib/d${i % 30}/f${i}.js`, data: `module.exports = ${i};\n` }));
  await writeFile(
    join(app, 'vendor', `fat-${version}.tgz`),
    tgzOf([{ path: 'package/package.json', data: JSON.stringify({ name: 'fat', version, main: 'lib/d1/f1.js' }) }, ...files]),
  );
  await writeFile(
    join(app, 'package.json'),
    JSON.stringify({
      name,
      version: '1.0.0',
      scripts: { postinstall: 'node -e "require(\'fs\').appendFileSync(\'postinstall.log\', \'ran\\\\n\')"' },
      dependencies: { fat: `file:vendor/fat-${version}.tgz` },
    }),
  );
  await writeFile(join(app, 'server.js'), 'console.log(require("fat"));\n');
  await writeFile(join(app, 'hop3.toml'), `[metadata]\nid = "${name}"\n\n[run]\nstart = "node server.js"\n`);
  const deps = realDeps();
  const npm = await deps.exec.which('npm', buildEnv({ cacheDir: ws.cacheDir })['PATH'] ?? '');
  assert.ok(npm !== null);
  const out = await deps.exec.run({
    argv: [npm, 'install', '--package-lock-only', '--offline', '--ignore-scripts'],
    cwd: app,
    env: buildEnv({ cacheDir: join(ws.root, 'lockgen') }),
    timeoutMs: 120_000,
    outputCapBytes: 1 << 20,
    onLine: () => {},
  });
  assert.equal(out.code, 0);
  return app;
}

async function build(ws: Workspace, app: string, strategy: CacheStrategy): Promise<{ result: BuildResult; dir: string }> {
  const r = await ws.release(app);
  const result = await runBuild({ releaseDir: r.dir, cacheDir: ws.cacheDir, build: r.build, nodeCache: strategy }, realDeps());
  return { result, dir: r.dir };
}

for (const strategy of ['copy', 'hardlink'] as const) {
  test(`with an unchanged lockfile the second release reuses node_modules from the cache (${strategy}) and is faster than npm ci`, async (t) => {
    const ws = await workspace();
    try {
      const app = await fatApp(ws, 'fat-app');
      const cold = await build(ws, app, strategy);
      assert.equal(cold.result.cache, 'miss');
      // a fair baseline: npm ci again with npm's own download cache warm, node_modules cache emptied
      await rm(join(ws.cacheDir, 'node_modules'), { recursive: true, force: true });
      const warm = await build(ws, app, strategy);
      assert.equal(warm.result.cache, 'miss');
      const hit = await build(ws, app, strategy);
      assert.equal(hit.result.cache, 'hit');
      assert.deepEqual(hit.result.steps.map((s) => s.step), ['cache-restore', 'npm-postinstall']);
      assert.deepEqual(await listing(join(hit.dir, 'node_modules')), await listing(join(warm.dir, 'node_modules')));
      assert.equal(await readFile(join(hit.dir, 'postinstall.log'), 'utf8'), 'ran\n', 'the root postinstall ran on the hit too');
      const s = (r: BuildResult): string => `${(r.durationMs / 1000).toFixed(2)} s`;
      t.diagnostic(
        `node cache (${strategy}, ${FAT_FILES} files): npm ci cold ${s(cold.result)}, npm ci warm ${s(warm.result)}, cache hit ${s(hit.result)}, saving ${((1 - hit.result.durationMs / warm.result.durationMs) * 100).toFixed(0)}% vs warm`,
      );
      assert.ok(hit.result.durationMs < warm.result.durationMs, 'a hit is faster than npm ci');
    } finally {
      await ws.cleanup();
    }
  });
}

test('a changed lockfile misses the cache, installs the new tree, and old keys beyond three are evicted', async () => {
  const ws = await workspace();
  try {
    for (const version of ['1.0.0', '1.0.1', '1.0.2', '1.0.3']) {
      const app = await fatApp(ws, `fat-${version.replaceAll('.', '-')}`, version, 10);
      const { result, dir } = await build(ws, app, 'copy');
      assert.equal(result.cache, 'miss');
      const pkg = JSON.parse(await readFile(join(dir, 'node_modules', 'fat', 'package.json'), 'utf8')) as { version: string };
      assert.equal(pkg.version, version);
    }
    const keys = (await readdir(join(ws.cacheDir, 'node_modules'))).filter((n) => !n.startsWith('.'));
    assert.equal(keys.length, 3);
  } finally {
    await ws.cleanup();
  }
});

test('a lockfile with zero dependencies runs no npm at all and uses no cache, on every release', async () => {
  const ws = await workspace();
  try {
    const app = join(ws.root, 'nodep');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'nodep', version: '1.0.0' }));
    await writeFile(
      join(app, 'package-lock.json'),
      JSON.stringify({ name: 'nodep', version: '1.0.0', lockfileVersion: 3, requires: true, packages: { '': { name: 'nodep', version: '1.0.0' } } }),
    );
    await writeFile(join(app, 'server.js'), 'console.log(1)\n');
    await writeFile(join(app, 'hop3.toml'), '[metadata]\nid = "nodep"\n\n[run]\nstart = "node server.js"\n');
    const first = await build(ws, app, 'copy');
    const second = await build(ws, app, 'copy');
    for (const r of [first, second]) {
      assert.equal(r.result.cache, 'none');
      assert.deepEqual(r.result.steps.map((x) => x.step), []);
      assert.equal(existsSync(join(r.dir, 'node_modules')), false);
    }
    assert.equal(existsSync(join(second.dir, 'server.js')), true);
  } finally {
    await ws.cleanup();
  }
});
