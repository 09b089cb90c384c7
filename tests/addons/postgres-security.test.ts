/**
 * Secrets and quoting for the postgres backend: the generated password never
 * reaches the server's statement log (log_statement=all on a private
 * PostgreSQL), the stored verifier is SCRAM, the env contract encodes the
 * password safely, and identifiers are derived and quoted.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import pg from 'pg';
import { derivedIdentifier, type AddonBackend } from '../../server/addons/backend.ts';
import { createPostgresBackend } from '../../server/addons/postgres.ts';
import { generatePassword, scramSha256Verifier } from '../../server/addons/postgres-scram.ts';
import { pgUnavailable, startPostgres, type PgInstance } from './pg-instance.ts';

const skip = pgUnavailable();
let inst: PgInstance | undefined;
let backend: AddonBackend | undefined;

const I = (): PgInstance => {
  if (!inst) throw new Error('no PostgreSQL');
  return inst;
};
const B = (): AddonBackend => {
  if (!backend) throw new Error('no backend');
  return backend;
};

before(async () => {
  if (skip) return;
  inst = await startPostgres({ logStatement: 'all' });
  backend = createPostgresBackend({ host: inst.socketDir, port: inst.port, adminUser: inst.adminUser, adminDatabase: 'postgres' }, { appHost: () => '127.0.0.1' });
});

after(async () => {
  await backend?.close();
  await inst?.stop();
});

test("the generated password never appears in the server's statement log with log_statement=all", { skip }, async () => {
  const p = await B().provision('sentinel', { extensions: ['pgcrypto'] });
  const password = p.secrets['password'] ?? '';
  assert.equal(password.length, 43);
  assert.equal((await B().status('sentinel', p)).ok, true);
  await B().deprovision('sentinel', p);
  const log = I().log();
  // The statements were logged (so the check is meaningful)...
  assert.match(log, /statement: CREATE ROLE "hop3_sentinel" LOGIN .* PASSWORD 'SCRAM-SHA-256\$4096:/);
  assert.match(log, /statement: CREATE EXTENSION IF NOT EXISTS "pgcrypto"/);
  assert.match(log, /statement: DROP ROLE IF EXISTS "hop3_sentinel"/);
  // ...and the secret in none of its forms.
  assert.equal(log.includes(password), false);
  assert.equal(log.includes(encodeURIComponent(password)), false);
  assert.equal(log.includes(Buffer.from(password).toString('base64')), false);
});

test('the stored password is the SCRAM-SHA-256 verifier and the role logs in with the plaintext over SCRAM', { skip }, async () => {
  const p = await B().provision('scram', {});
  const rows = await I().query<{ rolpassword: string }>('SELECT rolpassword FROM pg_authid WHERE rolname = $1', ['hop3_scram']);
  const stored = rows[0]?.rolpassword ?? '';
  const m = /^SCRAM-SHA-256\$4096:([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(stored);
  assert.ok(m, 'a SCRAM verifier');
  // Recompute from the plaintext and the stored salt: the same verifier.
  assert.equal(scramSha256Verifier(p.secrets['password'] ?? '', Buffer.from(m[1] ?? '', 'base64')), stored);
  const e = B().env('scram', p);
  const c = new pg.Client({ connectionString: e['DATABASE_URL'] });
  await c.connect();
  assert.equal((await c.query<{ u: string }>('SELECT current_user AS u')).rows[0]?.u, 'hop3_scram');
  await c.end();
  const wrong = new pg.Client({ host: '127.0.0.1', port: I().port, user: 'hop3_scram', password: 'not-it', database: 'hop3_scram' });
  await assert.rejects(wrong.connect(), /password authentication failed/);
  await B().deprovision('scram', p);
});

test('the SCRAM verifier follows RFC 5802 (StoredKey = H(HMAC(salted, "Client Key")), ServerKey = HMAC(salted, "Server Key"))', () => {
  const salt = Buffer.from('0123456789abcdef');
  const salted = pbkdf2Sync('pencil', salt, 4096, 32, 'sha256');
  const stored = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest('base64');
  const server = createHmac('sha256', salted).update('Server Key').digest('base64');
  assert.equal(scramSha256Verifier('pencil', salt), `SCRAM-SHA-256$4096:${salt.toString('base64')}$${stored}:${server}`);
  assert.throws(() => scramSha256Verifier('naïve'), /printable ASCII/);
  assert.throws(() => scramSha256Verifier('with space'), /printable ASCII/);
});

test('generated passwords are 43 base64url characters and differ every time', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 100; i++) {
    const p = generatePassword();
    assert.match(p, /^[A-Za-z0-9_-]{43}$/);
    seen.add(p);
  }
  assert.equal(seen.size, 100);
});

test('the env contract gives a DATABASE_URL whose parts round-trip and PGHOST from the one hosts object', () => {
  const b = createPostgresBackend({ host: '/run/postgresql', port: 5433, adminUser: 'postgres', adminDatabase: 'postgres' }, { appHost: () => '172.17.0.1' });
  const password = 'a/b?c#d@e%f:g';
  const env = b.env('my-db', { resource: { database: 'hop3_my_db', user: 'hop3_my_db', extensions: '' }, secrets: { password } });
  assert.deepEqual(Object.keys(env), ['DATABASE_URL', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGHOST', 'PGPORT']);
  const u = new URL(env['DATABASE_URL'] ?? '');
  assert.equal(u.protocol, 'postgres:');
  assert.equal(decodeURIComponent(u.password), password);
  assert.equal(u.username, 'hop3_my_db');
  assert.equal(u.hostname, '172.17.0.1');
  assert.equal(u.port, '5433');
  assert.equal(u.pathname, '/hop3_my_db');
  assert.deepEqual([env['PGHOST'], env['PGPORT'], env['PGPASSWORD']], ['172.17.0.1', '5433', password]);
  const v6 = createPostgresBackend({ host: 'db', port: 5432, adminUser: 'postgres', adminDatabase: 'postgres' }, { appHost: () => '::1' });
  assert.match(v6.env('x', { resource: {}, secrets: { password: 'p' } })['DATABASE_URL'] ?? '', /^postgres:\/\/hop3_x:p@\[::1\]:5432\/hop3_x$/);
});

test('derived identifiers: "a", "x-y-z" and 63-character names, and hostile names refused', () => {
  assert.equal(derivedIdentifier('a'), 'hop3_a');
  assert.equal(derivedIdentifier('x-y-z'), 'hop3_x_y_z');
  const long = `a${'b'.repeat(62)}`;
  assert.equal(derivedIdentifier(long).length, 63);
  assert.ok(derivedIdentifier(long).startsWith('hop3_abbb'));
  for (const bad of ['', 'A', '1a', '-a', 'a_b', 'a"b', "a'b", 'a;b', 'ünï', 'a'.repeat(64), 'x'.repeat(1000)]) {
    assert.throws(() => derivedIdentifier(bad), /invalid addon name/, bad);
  }
});

test('escapeIdentifier keeps a hostile identifier one quoted name', { skip }, async () => {
  const hostile = 'x"; DROP ROLE postgres; --';
  const c = await I().admin();
  try {
    await c.query(`CREATE ROLE ${pg.escapeIdentifier(hostile)}`);
    const r = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_roles WHERE rolname IN ($1, $2)', [hostile, 'postgres']);
    assert.equal(r.rows[0]?.n, 2);
    await c.query(`DROP ROLE ${pg.escapeIdentifier(hostile)}`);
  } finally {
    await c.end();
  }
});
