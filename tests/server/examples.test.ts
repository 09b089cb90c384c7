import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadApp } from '../../shared-protocol/config/index.ts';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
const ROOT = join(import.meta.dirname, '..', '..');
const NAMES = ['addons-demo', 'failing-health', 'node-dep', 'node-nodep', 'python-stdlib', 'static', 'worker'];

describe('the example apps', () => {
  it('are the seven the quick start and the e2e tests use', () => {
    const dirs = readdirSync(EXAMPLES, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    assert.deepEqual(dirs, NAMES);
  });

  for (const name of NAMES) {
    it(`${name} loads without diagnostics, with its name as [metadata].id, a health path and a README line`, () => {
      const r = loadApp(join(EXAMPLES, name));
      assert.deepEqual(r.diagnostics, []);
      assert.equal(r.plan?.config.metadata.id, name);
      assert.match(r.plan?.config.healthcheck?.path ?? '', /^\//);
      assert.ok(readFileSync(join(EXAMPLES, name, 'README.md'), 'utf8').trim().split('\n').length >= 2);
    });
  }

  it('pass `hop3 config validate <dir>` through the real CLI', () => {
    for (const name of NAMES) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), 'config', 'validate', join(EXAMPLES, name)], { cwd: ROOT, encoding: 'utf8' });
      assert.match(out, /^valid: /, name);
    }
  });

  it('read $PORT and listen on 127.0.0.1 only, every one that runs a process', () => {
    for (const name of NAMES.filter((n) => n !== 'static')) {
      const sources = readdirSync(join(EXAMPLES, name)).filter((f) => /\.(js|py)$/.test(f) && f !== 'worker.js');
      const text = sources.map((f) => readFileSync(join(EXAMPLES, name, f), 'utf8')).join('\n');
      assert.match(text, /process\.env\.PORT|os\.environ\["PORT"\]/, name);
      assert.match(text, /'127\.0\.0\.1'|"127\.0\.0\.1"/, name);
      assert.doesNotMatch(text, /0\.0\.0\.0/, name);
    }
  });

  it('declare their processes: one web each, plus a worker for the worker example, and none for the static site', () => {
    const kinds = Object.fromEntries(NAMES.map((n) => [n, Object.keys(loadApp(join(EXAMPLES, n)).plan?.processes ?? {}).sort().join('+')]));
    assert.deepEqual(kinds, {
      'addons-demo': 'web', 'failing-health': 'web', 'node-dep': 'web', 'node-nodep': 'web', 'python-stdlib': 'web', static: '', worker: 'web+worker',
    });
    assert.equal(loadApp(join(EXAMPLES, 'static')).plan?.config.build.toolchain, 'static');
    assert.ok(existsSync(join(EXAMPLES, 'static', 'public', 'index.html')));
  });

  it('node-dep pins its one dependency in a lockfile that matches package.json', () => {
    const pkg = JSON.parse(readFileSync(join(EXAMPLES, 'node-dep', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const lock = JSON.parse(readFileSync(join(EXAMPLES, 'node-dep', 'package-lock.json'), 'utf8')) as {
      lockfileVersion: number; packages: Record<string, { version?: string; integrity?: string; dependencies?: Record<string, string> }>;
    };
    assert.deepEqual(Object.keys(pkg.dependencies), ['ms']);
    assert.equal(lock.lockfileVersion, 3);
    assert.deepEqual(lock.packages['']?.dependencies, pkg.dependencies);
    assert.equal(lock.packages['node_modules/ms']?.version, pkg.dependencies['ms']);
    assert.match(lock.packages['node_modules/ms']?.integrity ?? '', /^sha512-/);
  });

  it('addons-demo declares a postgres and a redis addon and pins pg and ioredis in its lockfile', () => {
    const plan = loadApp(join(EXAMPLES, 'addons-demo')).plan;
    assert.deepEqual(plan?.config.addons.map((a) => [a.type, a.name]), [['postgres', 'demo-db'], ['redis', 'demo-cache']]);
    const pkg = JSON.parse(readFileSync(join(EXAMPLES, 'addons-demo', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const lock = JSON.parse(readFileSync(join(EXAMPLES, 'addons-demo', 'package-lock.json'), 'utf8')) as { lockfileVersion: number; packages: Record<string, { version?: string; integrity?: string; dependencies?: Record<string, string> }> };
    assert.deepEqual(Object.keys(pkg.dependencies).sort(), ['ioredis', 'pg']);
    assert.equal(lock.lockfileVersion, 3);
    assert.deepEqual(lock.packages['']?.dependencies, pkg.dependencies);
    for (const d of ['pg', 'ioredis']) {
      assert.equal(lock.packages[`node_modules/${d}`]?.version, pkg.dependencies[d]);
      assert.match(lock.packages[`node_modules/${d}`]?.integrity ?? '', /^sha512-/);
    }
  });
});
