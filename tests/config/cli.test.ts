import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { appDir } from './tmpdir.ts';

const MAIN = join(import.meta.dirname, '../../cli/main.ts');
const FULL = readFileSync(join(import.meta.dirname, '../fixtures/config/bench/full.toml'), 'utf8');

function hop3(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('hop3 config validate', () => {
  it('exits 0 on a valid app with every section', () => {
    const r = hop3(['config', 'validate', appDir({ 'hop3.toml': FULL })]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /valid: hop3\.toml/);
  });

  it('exits 7 (invalid config) and lists errors with code, position and hint', () => {
    const r = hop3(['config', 'validate', appDir({ 'hop3.toml': '[run]\nstart = ""\n[[ports]]\nnumber = 80\n' })]);
    assert.equal(r.code, 7);
    assert.match(r.stdout, /hop3\.toml:2:1: error E_CONFIG_EMPTY_COMMAND \[run\.start\]/);
    assert.match(r.stdout, /hint: /);
    assert.match(r.stdout, /2 errors, 0 warnings/);
  });

  it('prints a machine-readable report with --json', () => {
    const r = hop3(['config', 'validate', appDir({ 'hop3.toml': '[limits]\ncpu = 0\n[metadata]\nauthor = "me"\n' }), '--json']);
    assert.equal(r.code, 7);
    const report = JSON.parse(r.stdout) as { valid: boolean; errors: Array<Record<string, unknown>>; warnings: Array<Record<string, unknown>> };
    assert.equal(report.valid, false);
    assert.deepEqual(report.errors.map((e) => [e['code'], e['path'], e['line'], e['column']]), [['E_CONFIG_RANGE', 'limits.cpu', 2, 1]]);
    assert.deepEqual(report.warnings.map((e) => e['code']), ['W_CONFIG_RESERVED']);
  });

  it('takes HOP3_EXTRA_PG_EXTENSIONS from the environment at the edge', () => {
    const dir = appDir({ 'hop3.toml': '[[addons]]\ntype = "postgres"\nextensions = ["pg_partman"]\n' });
    assert.equal(hop3(['config', 'validate', dir]).code, 7);
    assert.equal(hop3(['config', 'validate', dir], { HOP3_EXTRA_PG_EXTENSIONS: 'timescaledb, pg_partman' }).code, 0);
  });

  it('exits 2 on an unknown sub-command', () => {
    assert.equal(hop3(['config', 'frobnicate']).code, 2);
  });
});

describe('hop3 config explain', () => {
  it('shows processes with their source and masks secret values', () => {
    const dir = appDir({
      Procfile: 'web: gunicorn app:app\nworker: celery worker\n',
      'hop3.toml': '[run]\nstart = "uvicorn app:app"\n[env]\nSECRET_KEY = "hunter2"\nDATABASE_URL = "postgres://u:pw@h/db"\n',
    });
    const r = hop3(['config', 'explain', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /web\s+uvicorn app:app\s+\(hop3\.toml\)/);
    assert.match(r.stdout, /worker\s+celery worker\s+\(procfile\)/);
    assert.doesNotMatch(r.stdout, /hunter2|:pw@/);
  });

  it('describes every section of a full config as JSON', () => {
    const r = hop3(['config', 'explain', appDir({ 'hop3.toml': FULL }), '--json']);
    assert.equal(r.code, 0, r.stderr);
    const e = JSON.parse(r.stdout) as Record<string, unknown> & { env: { vars: Array<{ key: string; source: string; value: string }> } };
    assert.equal(e['builder'], 'local');
    assert.deepEqual(e['limits'], { memory: '768M', cpu: 1.5, processes: 256 });
    const sources = Object.fromEntries(e.env.vars.map((v) => [v.key, v.source]));
    assert.equal(sources['SESSION_SECRET'], 'generate');
    assert.equal(sources['PRIMARY_DB_HOST'], 'ref');
    assert.equal(sources['PUBLIC_IP'], 'external_ip');
    assert.equal(sources['PUBLIC_URL'], 'computed');
    assert.equal(e.env.vars.find((v) => v.key === 'SESSION_SECRET')?.value.includes('hex'), true);
  });
});

describe('hop3 config explain: env origins from a dry resolution', () => {
  const TOML = [
    '[[addons]]', 'type = "postgres"', 'name = "db"',
    '[env]', 'API_TOKEN = "s3cr3t-token"', 'SESSION_SECRET = { generate = "hex", length = 32 }',
    'ADMIN_PASSWORD = { generate = "password", display = true }', 'DB_HOST = { from = "db", key = "PGHOST" }',
    '[env.computed]', 'DATABASE_URL = "postgres://${PGUSER}:${PGPASSWORD}@${DB_HOST}/${PGDATABASE}"', '',
  ].join('\n');

  it('shows each key with the source the resolver gives it: generated, ref, computed and the DEBUG default', () => {
    const r = hop3(['config', 'explain', appDir({ 'hop3.toml': TOML })]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /SESSION_SECRET\s+generated\s+generated once: hex, length 32/);
    assert.match(r.stdout, /DB_HOST\s+ref:db\s+addon db → PGHOST/);
    assert.match(r.stdout, /DATABASE_URL\s+computed\s+computed: /);
    assert.match(r.stdout, /DEBUG\s+default\s+false \(default\)/);
    assert.match(r.stdout, /expected at deploy.*: PGDATABASE, PGPASSWORD, PGUSER/);
  });

  it('displays nothing secret: no static secret, no generated value, no placeholder fact', () => {
    const r = hop3(['config', 'explain', appDir({ 'hop3.toml': TOML }), '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /s3cr3t|0{16}|dry run|1\.1\.1\.1/);
    const e = JSON.parse(r.stdout) as { env: { vars: Array<{ key: string; source: string; origin: string }> } };
    assert.deepEqual(e.env.vars.map((v) => [v.key, v.source, v.origin]), [
      ['API_TOKEN', 'static', 'static'],
      ['SESSION_SECRET', 'generate', 'generated'],
      ['ADMIN_PASSWORD', 'generate', 'generated'],
      ['DB_HOST', 'ref', 'ref:db'],
      ['DATABASE_URL', 'computed', 'computed'],
      ['DEBUG', 'default', 'default'],
    ]);
  });

  it('exits 7 with the resolver code when [env.computed] has a cycle a deploy would hit', () => {
    const r = hop3(['config', 'explain', appDir({ 'hop3.toml': '[env.computed]\nB = "${C}"\nC = "${B}"\n' })]);
    assert.equal(r.code, 7);
    assert.match(r.stderr, /E_ENV_COMPUTED_CYCLE/);
  });
});

describe('hop3 config migrate procfile', () => {
  it('writes an equivalent hop3.toml that validates and keeps the same processes', () => {
    const dir = appDir({ Procfile: 'web: gunicorn app:app\nworker: celery worker\nprerun: ./migrate\nrelease: ./rel\n' });
    const r = hop3(['config', 'migrate', 'procfile', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(dir, 'hop3.toml')));
    assert.match(r.stdout, /kept in the Procfile.*release/);
    const explained = JSON.parse(hop3(['config', 'explain', dir, '--json']).stdout) as { processes: Array<{ name: string; command: string; source: string }> };
    assert.deepEqual(explained.processes.map((p) => [p.name, p.command, p.source]), [
      ['web', 'gunicorn app:app', 'hop3.toml'],
      ['worker', 'celery worker', 'hop3.toml'],
    ]);
  });

  it('prints without writing under --dry-run', () => {
    const dir = appDir({ Procfile: 'web: node s.js\n' });
    const r = hop3(['config', 'migrate', 'procfile', dir, '--dry-run']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /\[run\]\nstart = "node s\.js"/);
    assert.equal(existsSync(join(dir, 'hop3.toml')), false);
  });

  it('refuses to overwrite an existing config file (exit 5, conflict)', () => {
    const dir = appDir({ Procfile: 'web: node s.js\n', 'src/hop3.toml': '[run]\nstart = "mine"\n' });
    const r = hop3(['config', 'migrate', 'procfile', dir]);
    assert.equal(r.code, 5);
    assert.match(r.stderr, /E_CONFIG_EXISTS/);
    assert.equal(readFileSync(join(dir, 'src/hop3.toml'), 'utf8'), '[run]\nstart = "mine"\n');
  });
});
