import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { baseBuildEnv, buildEnv } from '../../server/builders/env.ts';
import { LineSplitter, MAX_LINE_BYTES } from '../../server/builders/exec.ts';
import { goBuildArgv } from '../../server/builders/go.ts';
import { nodeCacheKey } from '../../server/builders/node-cache.ts';
import { copyTreeArgv, npmInstallArgv, rootInstallScripts } from '../../server/builders/node.ts';
import { hasRequirements, pipArgv, venvArgv } from '../../server/builders/python.ts';
import { runBuild, type BuildInput } from '../../server/builders/run.ts';
import { collectingDeps, fakeExec } from './builders-fakes.ts';

test('npm argv: ci with a lockfile, install without, never audit or fund', () => {
  assert.deepEqual(npmInstallArgv('/usr/bin/npm', true), ['/usr/bin/npm', 'ci', '--no-audit', '--no-fund']);
  assert.deepEqual(npmInstallArgv('/usr/bin/npm', false), ['/usr/bin/npm', 'install', '--no-audit', '--no-fund']);
});

test('cache copies are cp -a, or cp -al for hard links, with "--" before the paths', () => {
  assert.deepEqual(copyTreeArgv('/bin/cp', '/c/nm', '/r/nm', 'copy'), ['/bin/cp', '-a', '--', '/c/nm', '/r/nm']);
  assert.deepEqual(copyTreeArgv('/bin/cp', '/c/nm', '/r/nm', 'hardlink'), ['/bin/cp', '-al', '--', '/c/nm', '/r/nm']);
});

test('python argv: a venv without pip unless something is installed; pip extras after "--"', () => {
  assert.deepEqual(venvArgv('/usr/bin/python3', false), ['/usr/bin/python3', '-m', 'venv', '--without-pip', '.venv']);
  assert.deepEqual(venvArgv('/usr/bin/python3', true), ['/usr/bin/python3', '-m', 'venv', '.venv']);
  assert.deepEqual(pipArgv('/r/.venv/bin/python', ['--', '--index-url=http://evil']), [
    '/r/.venv/bin/python', '-m', 'pip', 'install', '--no-input', '--', '--index-url=http://evil',
  ]);
});

test('go argv builds every main package into bin/ with -trimpath', () => {
  assert.deepEqual(goBuildArgv('/usr/lib/go/bin/go'), ['/usr/lib/go/bin/go', 'build', '-trimpath', '-o', 'bin/', './...']);
});

const requirementTexts: Array<[string, string, boolean]> = [
  ['comments only', '# standard library only\n\n', false],
  ['an empty file', '', false],
  ['one requirement', 'flask==3.0.0\n', true],
  ['a requirement after comments', '# web\n\nflask\n', true],
  ['an indented comment', '   # nothing\n', false],
];
for (const [what, text, expected] of requirementTexts) {
  test(`a requirements.txt with ${what} ${expected ? 'needs' : 'does not need'} pip`, () => {
    assert.equal(hasRequirements(text), expected);
  });
}

test('the cache key changes with the lockfile, the dependency fields and the node version, not with other package.json fields', () => {
  const lock = Buffer.from('{"lockfileVersion":3}');
  const pkg = (o: object): string => JSON.stringify({ name: 'a', version: '1.0.0', scripts: { start: 'node .' }, ...o });
  const base = nodeCacheKey(lock, pkg({ dependencies: { ms: '2.1.3' } }), 'v20.1.0');
  assert.equal(base, nodeCacheKey(lock, JSON.stringify({ name: 'a', version: '9.9.9', dependencies: { ms: '2.1.3' } }), 'v20.1.0'));
  assert.notEqual(base, nodeCacheKey(Buffer.from('{"lockfileVersion":2}'), pkg({ dependencies: { ms: '2.1.3' } }), 'v20.1.0'));
  assert.notEqual(base, nodeCacheKey(lock, pkg({ dependencies: { ms: '2.1.2' } }), 'v20.1.0'));
  assert.notEqual(base, nodeCacheKey(lock, pkg({ dependencies: { ms: '2.1.3' }, overrides: { x: '1' } }), 'v20.1.0'));
  assert.notEqual(base, nodeCacheKey(lock, pkg({ dependencies: { ms: '2.1.3' } }), 'v22.0.0'));
  assert.match(base, /^[0-9a-f]{32}$/);
});

test('root install scripts are the ones npm ci runs, in its order', () => {
  assert.deepEqual(rootInstallScripts('{"scripts":{"prepare":"x","start":"y","postinstall":"z"}}'), ['postinstall', 'prepare']);
  assert.deepEqual(rootInstallScripts('{}'), []);
  assert.deepEqual(rootInstallScripts('not json'), []);
});

test('lines are split on \\n, CRLF is trimmed, a partial line waits for the rest or the end', () => {
  const s = new LineSplitter();
  assert.deepEqual(s.push('a\r\nb'), ['a']);
  assert.deepEqual(s.push('c\nd'), ['bc']);
  assert.deepEqual(s.flush(), ['d']);
  assert.deepEqual(s.flush(), []);
  const long = s.push('x'.repeat(MAX_LINE_BYTES * 2 + 5));
  assert.equal(long.length, 2);
  assert.deepEqual(s.flush(), ['xxxxx']);
});

test('the build env inherits nothing from the server process and lets the app env win', () => {
  process.env['HOP3_TEST_SERVER_SECRET'] = 'do-not-leak';
  try {
    const env = buildEnv({ cacheDir: '/c', appEnv: { DATABASE_URL: 'postgres://x', LANG: 'fr_FR.UTF-8' } });
    assert.equal(env['HOP3_TEST_SERVER_SECRET'], undefined);
    assert.equal(env['DATABASE_URL'], 'postgres://x');
    assert.equal(env['LANG'], 'fr_FR.UTF-8');
    assert.equal(env['HOME'], '/c/home');
    assert.equal(env['npm_config_cache'], '/c/npm');
    assert.equal(env['GOTOOLCHAIN'], 'local');
    assert.deepEqual(Object.keys(baseBuildEnv('/c', ['/opt/node/bin'])).sort(), Object.keys(env).filter((k) => k !== 'DATABASE_URL').sort());
    assert.ok(baseBuildEnv('/c', ['/opt/node/bin'])['PATH']?.startsWith('/opt/node/bin:'));
  } finally {
    delete process.env['HOP3_TEST_SERVER_SECRET'];
  }
});

async function release(files: Record<string, string>): Promise<{ dir: string; cache: string; done: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'hop3-build-unit-'));
  const dir = join(root, 'release');
  await mkdir(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return { dir, cache: join(root, 'cache'), done: () => rm(root, { recursive: true, force: true }) };
}

const build = (over: Partial<BuildInput['build']> = {}): BuildInput['build'] => ({
  builder: 'auto', toolchain: null, build: null, beforeBuild: null, test: null, pipInstall: [], ...over,
});

test('a Go app on a server without go fails with E_BUILD_TOOLCHAIN_MISSING and runs nothing', async () => {
  const r = await release({ 'go.mod': 'module x\n', 'main.go': 'package main\n' });
  try {
    const exec = fakeExec({ sh: '/bin/sh' });
    await assert.rejects(runBuild({ releaseDir: r.dir, cacheDir: r.cache, build: build() }, collectingDeps(exec)), (e: unknown) =>
      isHop3Error(e) && e.code === 'E_BUILD_TOOLCHAIN_MISSING' && /go/i.test(e.message),
    );
    assert.equal(exec.calls.length, 0);
  } finally {
    await r.done();
  }
});

test('with a Go toolchain, the Go builder runs go build in the release dir and reports bin/', async () => {
  const r = await release({ 'go.mod': 'module x\n' });
  try {
    const exec = fakeExec({ go: '/usr/lib/go/bin/go' });
    const result = await runBuild({ releaseDir: r.dir, cacheDir: r.cache, build: build() }, collectingDeps(exec));
    assert.deepEqual(exec.calls.map((c) => c.argv), [goBuildArgv('/usr/lib/go/bin/go')]);
    assert.equal(exec.calls[0]?.cwd, r.dir);
    assert.deepEqual(result.artifacts, { bin: 'bin' });
  } finally {
    await r.done();
  }
});

test('steps run in order: before-build, toolchain, build, test; user commands go through /bin/sh -c', async () => {
  const r = await release({ 'app.py': 'print(1)\n' });
  try {
    const exec = fakeExec({ python3: '/usr/bin/python3' });
    const result = await runBuild(
      { releaseDir: r.dir, cacheDir: r.cache, build: build({ beforeBuild: 'echo pre', build: 'echo build', test: 'echo test' }) },
      collectingDeps(exec),
    );
    assert.deepEqual(exec.calls.map((c) => c.argv), [
      ['/bin/sh', '-c', 'echo pre'],
      venvArgv('/usr/bin/python3', false),
      ['/bin/sh', '-c', 'echo build'],
      ['/bin/sh', '-c', 'echo test'],
    ]);
    assert.deepEqual(result.steps.map((s) => s.step), ['before-build', 'venv', 'build', 'test']);
  } finally {
    await r.done();
  }
});

const failures: Array<[string, Partial<BuildInput['build']>, string, string]> = [
  ['a failing test command', { test: 'false' }, 'false', 'E_BUILD_TEST_FAILED'],
  ['a failing build command', { build: 'make' }, 'make', 'E_BUILD_COMMAND_FAILED'],
  ['a failing before-build command', { beforeBuild: 'setup' }, 'setup', 'E_BUILD_COMMAND_FAILED'],
];
for (const [what, over, failing, code] of failures) {
  test(`${what} aborts the build with ${code} and the last output lines`, async () => {
    const r = await release({ 'index.html': '<p>x</p>' });
    try {
      const exec = fakeExec({}, (req) => (req.argv[2] === failing ? { code: 2, lines: ['boom'] } : {}));
      await assert.rejects(runBuild({ releaseDir: r.dir, cacheDir: r.cache, build: build(over) }, collectingDeps(exec)), (e: unknown) =>
        isHop3Error(e) && e.code === code && JSON.stringify(e.details?.['tail']) === '["boom"]',
      );
    } finally {
      await r.done();
    }
  });
}

test('a step that times out fails with E_BUILD_TIMEOUT', async () => {
  const r = await release({ 'index.html': 'x' });
  try {
    const exec = fakeExec({}, () => ({ code: null, signal: 'SIGTERM', timedOut: true }));
    await assert.rejects(runBuild({ releaseDir: r.dir, cacheDir: r.cache, build: build({ build: 'sleep 999' }) }, collectingDeps(exec)), {
      code: 'E_BUILD_TIMEOUT',
    });
  } finally {
    await r.done();
  }
});

test('npm is skipped only when package.json declares no dependency of any kind and no root install script', async () => {
  const { nothingToInstall } = await import('../../server/builders/node.ts');
  const cases: Array<[string, boolean]> = [
    ['{"name":"a"}', true],
    ['{"name":"a","dependencies":{}}', true],
    ['{"name":"a","scripts":{"start":"node s.js"}}', true],
    ['{"name":"a","dependencies":{"ms":"^2"}}', false],
    ['{"name":"a","devDependencies":{"x":"1"}}', false],
    ['{"name":"a","optionalDependencies":{"x":"1"}}', false],
    ['{"name":"a","bundleDependencies":["x"]}', false],
    ['{"name":"a","scripts":{"postinstall":"node gen.js"}}', false],
    ['{"name":"a","scripts":{"prepare":"tsc"}}', false],
    ['{"name":"a","dependencies":"oops"}', false],
    ['not json', false],
  ];
  for (const [pkg, expected] of cases) assert.equal(nothingToInstall(pkg), expected, pkg);
});
