/**
 * The MinIO (mc) s3 backend by its exact argv, env and stdin, with a
 * recording runner in place of mc. `mc` is not installed on this machine and
 * no test here talks to a real MinIO: what MinIO does with these commands is
 * NOT verified, only what hop3 asks of mc and where the secrets travel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import type { AddonHosts } from '../../server/addons/backend.ts';
import { createS3Backend } from '../../server/addons/s3.ts';
import { bucketPolicy, createMinioMcBackend, mcArgv, mcHostEnv, type McCall, type McResult, type MinioMcConfig } from '../../server/addons/s3-mc.ts';

const hosts: AddonHosts = { appHost: () => '127.0.0.1' };
const cfg: MinioMcConfig = { host: '127.0.0.1', port: 9000, useSSL: false, adminAccessKey: 'minioadmin', adminSecretKey: 'admin/secret@x' };

function recorder(fail: (argv: readonly string[]) => McResult | undefined = () => undefined): { calls: McCall[]; run: (c: McCall) => Promise<McResult> } {
  const calls: McCall[] = [];
  return { calls, run: async (c) => (calls.push(c), fail(c.argv) ?? { code: 0, stdout: '', stderr: '' }) };
}

test('the argv builders produce exactly these mc commands', () => {
  assert.deepEqual(mcArgv.makeBucket('hop3-up', 'us-east-1'), ['mb', '--region', 'us-east-1', 'hop3/hop3-up']);
  assert.deepEqual(mcArgv.removeBucket('hop3-up'), ['rb', '--force', 'hop3/hop3-up']);
  assert.deepEqual(mcArgv.policyCreate('hop3-up', '/tmp/p.json'), ['admin', 'policy', 'create', 'hop3', 'hop3-up', '/tmp/p.json']);
  assert.deepEqual(mcArgv.policyAttach('hop3-up', 'HOP3KEY'), ['admin', 'policy', 'attach', 'hop3', 'hop3-up', '--user', 'HOP3KEY']);
  assert.deepEqual(mcArgv.userAdd('HOP3KEY'), ['admin', 'user', 'add', 'hop3', 'HOP3KEY']);
  assert.deepEqual(mcArgv.userRemove('HOP3KEY'), ['admin', 'user', 'rm', 'hop3', 'HOP3KEY']);
  assert.deepEqual(mcArgv.policyRemove('hop3-up'), ['admin', 'policy', 'rm', 'hop3', 'hop3-up']);
});

test('the admin credentials travel in MC_HOST_hop3, percent-encoded', () => {
  assert.deepEqual(mcHostEnv(cfg), { MC_HOST_hop3: 'http://minioadmin:admin%2Fsecret%40x@127.0.0.1:9000' });
});

test('the policy allows only the addon bucket and its objects', () => {
  const p = JSON.parse(bucketPolicy('hop3-up')) as { Statement: { Resource: string[] }[] };
  assert.deepEqual(p.Statement.flatMap((s) => s.Resource), ['arn:aws:s3:::hop3-up', 'arn:aws:s3:::hop3-up/*']);
});

test('provision runs mb, policy create, user add (secret on stdin only), policy attach, in that order', async () => {
  const r = recorder();
  const b = createMinioMcBackend(cfg, hosts, r.run);
  const p = await b.provision('up', {});
  const key = p.secrets['accessKey'] ?? '';
  const secret = p.secrets['secretKey'] ?? '';
  assert.match(key, /^HOP3[0-9A-F]{16}$/);
  assert.equal(secret.length, 40);
  assert.deepEqual(r.calls.map((c) => c.argv.slice(0, 3).join(' ')), ['mb --region us-east-1', 'admin policy create', 'admin user add', 'admin policy attach']);
  assert.deepEqual(r.calls[2]?.argv, ['admin', 'user', 'add', 'hop3', key]);
  assert.equal(r.calls[2]?.stdin, `${secret}\n`);
  for (const c of r.calls) {
    assert.ok(!c.argv.some((a) => a.includes(secret) || a.includes(cfg.adminSecretKey)), 'no secret in argv');
    assert.deepEqual(c.env, mcHostEnv(cfg));
  }
  assert.deepEqual(p.resource, { bucket: 'hop3-up', backend: 'minio', policy: 'hop3-up', accessKey: key, perAddonKey: true });
  const env = b.env('up', p);
  assert.equal(env['S3_ENDPOINT'], 'http://127.0.0.1:9000');
  assert.equal(env['AWS_SECRET_ACCESS_KEY'], secret);
});

test('a failure part-way undoes what was created, in reverse, and redacts secrets from the error', async () => {
  const r = recorder((argv) => (argv[2] === 'attach' ? { code: 1, stdout: '', stderr: `mc: <ERROR> cannot attach (admin/secret@x)` } : undefined));
  const b = createMinioMcBackend(cfg, hosts, r.run);
  await assert.rejects(b.provision('up', {}), (e: unknown) => isHop3Error(e) && e.code === 'E_ADDON_PROVISION_FAILED' && /mc admin policy attach failed \(exit 1\): mc: <ERROR> cannot attach \(\*\*\*\)/.test(e.message));
  const key = r.calls[2]?.argv[4] ?? '';
  assert.deepEqual(r.calls.slice(4).map((c) => c.argv), [mcArgv.userRemove(key), mcArgv.policyRemove('hop3-up'), mcArgv.removeBucket('hop3-up')]);
});

test('deprovision removes bucket, user and policy, and treats "does not exist" as done', async () => {
  const r = recorder((argv) => (argv[0] === 'rb' ? { code: 1, stdout: '', stderr: 'mc: <ERROR> Bucket does not exist.' } : undefined));
  const b = createMinioMcBackend(cfg, hosts, r.run);
  await b.deprovision('up', { resource: { bucket: 'hop3-up', policy: 'hop3-up', accessKey: 'HOP3KEY' }, secrets: {} });
  assert.deepEqual(r.calls.map((c) => c.argv), [mcArgv.removeBucket('hop3-up'), mcArgv.userRemove('HOP3KEY'), mcArgv.policyRemove('hop3-up')]);
});

test('deprovision still fails on a real error, so nothing is silently left behind', async () => {
  const r = recorder((argv) => (argv[2] === 'rm' && argv[1] === 'user' ? { code: 1, stdout: '', stderr: 'mc: <ERROR> Access Denied.' } : undefined));
  const b = createMinioMcBackend(cfg, hosts, r.run);
  await assert.rejects(b.deprovision('up', { resource: { bucket: 'hop3-up', policy: 'hop3-up', accessKey: 'HOP3KEY' }, secrets: {} }), /mc admin user rm failed/);
});

test('a missing mc binary fails with E_ADDON_BACKEND_UNREACHABLE naming the fix', async () => {
  const b = createS3Backend({ kind: 'minio', ...cfg, mcPath: '/nonexistent/mc' }, hosts);
  await assert.rejects(b.provision('up', {}), (e: unknown) => isHop3Error(e) && e.code === 'E_ADDON_BACKEND_UNREACHABLE' && /ENOENT/.test(e.message) && e.hint !== undefined && /mc/.test(e.hint));
});
