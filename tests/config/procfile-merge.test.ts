import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseProcfile, Reporter, resolveApp } from '../../shared-protocol/config/index.ts';

function procfile(text: string) {
  const rep = new Reporter('Procfile');
  return { p: parseProcfile(text, rep), diags: rep.diagnostics };
}

describe('Procfile parsing', () => {
  it('reads web, worker and any other process type, skipping comments and blank lines', () => {
    const { p, diags } = procfile('# comment\n\nweb: gunicorn app:app\nworker:celery worker\nclock: python clock.py\n');
    assert.deepEqual(diags, []);
    assert.deepEqual(p.processes, { web: 'gunicorn app:app', worker: 'celery worker', clock: 'python clock.py' });
  });

  it('tells hooks (prebuild, prerun, release) apart from process types', () => {
    const { p } = procfile('prebuild: npm ci\nprerun: ./migrate\nrelease: ./release\nweb: node s.js\n');
    assert.deepEqual(p.hooks, { prebuild: 'npm ci', prerun: './migrate', release: './release' });
    assert.deepEqual(Object.keys(p.processes), ['web']);
  });

  it('parses cron entries into a 5-field UTC schedule and a command', () => {
    const { p, diags } = procfile('cron-clean: */5 * * * * python clean.py --all\n');
    assert.deepEqual(diags, []);
    assert.deepEqual(p.cron, [{ name: 'cron-clean', schedule: '*/5 * * * *', command: 'python clean.py --all' }]);
  });

  it('rejects a cron entry whose schedule is invalid, with its line', () => {
    const { diags } = procfile('web: x\ncron1: 99 * * * * run\n');
    assert.equal(diags[0]?.code, 'E_CONFIG_PROCFILE_CRON');
    assert.equal(diags[0]?.line, 2);
  });

  it('rejects a line without "name: command", a duplicate type and an empty command', () => {
    assert.equal(procfile('just a command\n').diags[0]?.code, 'E_CONFIG_PROCFILE_SYNTAX');
    assert.equal(procfile('web: a\nweb: b\n').diags[0]?.code, 'E_CONFIG_PROCFILE_DUPLICATE');
    assert.equal(procfile('web:\n').diags[0]?.code, 'E_CONFIG_EMPTY_COMMAND');
  });
});

describe('the merge hop3.toml > Procfile > defaults', () => {
  it('gives exactly the result stated by the reference example', () => {
    const r = resolveApp({
      procfile: '# Procfile\nweb: gunicorn app:app\nworker: celery worker\n',
      config: { path: 'hop3.toml', text: "[run]\nstart = \"uvicorn app:app\"  # Overrides 'web' from Procfile\n" },
    });
    assert.deepEqual(r.plan?.processes, {
      web: { command: 'uvicorn app:app', source: 'hop3.toml' },
      worker: { command: 'celery worker', source: 'procfile' },
    });
  });

  it('maps before-build to prebuild and before-run to prerun, overriding the Procfile hooks', () => {
    const r = resolveApp({
      procfile: 'prebuild: make\nprerun: old\nrelease: ./rel\n',
      config: { path: 'hop3.toml', text: '[build]\nbefore-build = ["npm ci", "npm run build"]\n[run]\nbefore-run = "migrate"\n' },
    });
    assert.deepEqual(r.plan?.hooks, {
      prebuild: { command: 'npm ci && npm run build', source: 'hop3.toml' },
      prerun: { command: 'migrate', source: 'hop3.toml' },
      release: { command: './rel', source: 'procfile' },
    });
  });

  it('joins an array command with " && "', () => {
    const r = resolveApp({ config: { path: 'hop3.toml', text: '[run]\nstart = ["a", "b c"]\n' } });
    assert.equal(r.plan?.processes['web']?.command, 'a && b c');
  });

  it('adds [run.workers] as process types that override same-named Procfile entries', () => {
    const r = resolveApp({ procfile: 'worker: old\n', config: { path: 'hop3.toml', text: '[run.workers]\nworker = "new"\nmailer = "m"\n' } });
    assert.deepEqual(r.plan?.processes, { worker: { command: 'new', source: 'hop3.toml' }, mailer: { command: 'm', source: 'hop3.toml' } });
  });

  it('falls back to defaults when only a Procfile exists', () => {
    const r = resolveApp({ procfile: 'web: node s.js\n' });
    assert.equal(r.plan?.config.build.builder, 'auto');
    assert.equal(r.plan?.config.run.startTimeout, null);
    assert.deepEqual(r.plan?.config.env, { policy: 'keep', vars: {}, computed: {} });
  });

  it('yields no plan when the Procfile has an error, even if hop3.toml is valid', () => {
    const r = resolveApp({ procfile: 'oops\n', config: { path: 'hop3.toml', text: '[run]\nstart = "x"\n' } });
    assert.equal(r.plan, null);
  });
});
