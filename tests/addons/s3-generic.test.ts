/**
 * The generic s3 backend's data path against s3rver (@20minutes/s3rver, an
 * S3-compatible server from npm run in-process on 127.0.0.1, a port in
 * 20000-29999, a temp dir).
 *
 * WHAT THIS VERIFIES, AND AGAINST WHAT: bucket create, put, get, list, status
 * and destroy (bucket gone, idempotent) through the real `minio` S3 client,
 * with SigV4 signatures checked by s3rver, operator and app keys distinct.
 * s3rver has NO users or policies, so bucket scoping of keys is NOT verified
 * here; neither is anything MinIO-specific (that path is tested by argv in
 * s3-mc.test.ts; `mc` is not installed on this machine).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import type { AddonBackend, AddonHosts } from '../../server/addons/backend.ts';
import { s3BucketName, s3Client, type S3Endpoint } from '../../server/addons/s3-common.ts';
import { createGenericS3Backend } from '../../server/addons/s3-generic.ts';
import { startS3rver, type RunningS3rver } from './s3rver-instance.ts';

const APP_KEY = 'HOP3APPKEY';
const APP_SECRET = 'hop3-app-secret-for-tests';
const hosts: AddonHosts = { appHost: () => '127.0.0.1' };
let server: RunningS3rver | undefined;
let ep: S3Endpoint = { host: '127.0.0.1', port: 0, useSSL: false };
let backend: AddonBackend | undefined;
const B = (): AddonBackend => {
  if (!backend) throw new Error('no backend');
  return backend;
};

before(async () => {
  server = await startS3rver(APP_KEY, APP_SECRET);
  ep = { host: '127.0.0.1', port: server.port, useSSL: false };
  backend = createGenericS3Backend({ ...ep, adminAccessKey: server.adminKey, adminSecretKey: server.adminKey, appAccessKey: APP_KEY, appSecretKey: APP_SECRET }, hosts);
});
after(async () => {
  await backend?.close();
  await server?.close();
});

test('provision creates hop3-<name> and the app, with its injected keys, can put, get and list objects', async (t) => {
  const started = Date.now();
  const p = await B().provision('uploads', {});
  t.diagnostic(`provision_s3_generic_s=${((Date.now() - started) / 1000).toFixed(3)}`);
  assert.equal(p.resource['bucket'], 'hop3-uploads');
  const env = B().env('uploads', p);
  assert.deepEqual(env, {
    S3_ENDPOINT: `http://127.0.0.1:${ep.port}`,
    S3_BUCKET: 'hop3-uploads',
    S3_ACCESS_KEY: APP_KEY,
    S3_SECRET_KEY: APP_SECRET,
    S3_REGION: 'us-east-1',
    S3_USE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: APP_KEY,
    AWS_SECRET_ACCESS_KEY: APP_SECRET,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: `http://127.0.0.1:${ep.port}`,
  });
  const app = s3Client(ep, env['S3_ACCESS_KEY'] ?? '', env['S3_SECRET_KEY'] ?? '');
  await app.putObject('hop3-uploads', 'docs/hello.txt', Buffer.from('hello s3'));
  await app.putObject('hop3-uploads', 'docs/second.txt', Buffer.from('two'));
  const chunks: Buffer[] = [];
  for await (const c of await app.getObject('hop3-uploads', 'docs/hello.txt')) chunks.push(c as Buffer);
  assert.equal(Buffer.concat(chunks).toString(), 'hello s3');
  const names: string[] = [];
  for await (const item of app.listObjectsV2('hop3-uploads', 'docs/', true)) names.push(String(item.name));
  assert.deepEqual(names.sort(), ['docs/hello.txt', 'docs/second.txt']);
  const st = await B().status('uploads', p);
  assert.equal(st.ok, true, st.detail);
  assert.match(st.detail, /bucket hop3-uploads reachable .* \(has objects\); shared app key/);
  assert.ok(!st.detail.includes(APP_SECRET));

  await B().deprovision('uploads', p);
  const admin = s3Client(ep, 'S3RVER', 'S3RVER');
  assert.equal(await admin.bucketExists('hop3-uploads'), false, 'the bucket and its objects are gone');
  const after = await B().status('uploads', p);
  assert.deepEqual(after, { ok: false, detail: 'bucket hop3-uploads does not exist' });
  await B().deprovision('uploads', p); // idempotent
});

test('a bucket that already exists is refused and left untouched', async () => {
  const admin = s3Client(ep, 'S3RVER', 'S3RVER');
  await admin.makeBucket('hop3-stray');
  await admin.putObject('hop3-stray', 'keep', Buffer.from('x'));
  await assert.rejects(B().provision('stray', {}), (e: unknown) => isHop3Error(e) && e.code === 'E_ADDON_PROVISION_FAILED' && /already exists/.test(e.message));
  assert.equal(await admin.bucketExists('hop3-stray'), true);
  await admin.removeObject('hop3-stray', 'keep');
  await admin.removeBucket('hop3-stray');
});

test('a wrong operator key fails provisioning and creates no bucket', async () => {
  const bad = createGenericS3Backend({ ...ep, adminAccessKey: 'S3RVER', adminSecretKey: 'wrong', appAccessKey: APP_KEY, appSecretKey: APP_SECRET }, hosts);
  await assert.rejects(bad.provision('badkey', {}), (e: unknown) => isHop3Error(e) && e.code === 'E_ADDON_PROVISION_FAILED' && !e.message.includes('wrong'));
  assert.equal(await s3Client(ep, 'S3RVER', 'S3RVER').bucketExists('hop3-badkey'), false);
});

test('an unreachable endpoint fails with E_ADDON_BACKEND_UNREACHABLE', async () => {
  const down = createGenericS3Backend({ host: '127.0.0.1', port: 1, useSSL: false, adminAccessKey: 'a', adminSecretKey: 'b', appAccessKey: 'c', appSecretKey: 'd' }, hosts);
  await assert.rejects(down.provision('down', {}), (e: unknown) => isHop3Error(e) && e.code === 'E_ADDON_BACKEND_UNREACHABLE');
});

test('bucket names are hop3-<name>, and names that cannot be S3 bucket names are refused', () => {
  assert.equal(s3BucketName('uploads'), 'hop3-uploads');
  assert.equal(s3BucketName('a'.repeat(58)).length, 63);
  assert.throws(() => s3BucketName('a'.repeat(59)), (e: unknown) => isHop3Error(e) && e.code === 'E_INVALID_ADDON_NAME');
  assert.throws(() => s3BucketName('trailing-'), (e: unknown) => isHop3Error(e) && e.code === 'E_INVALID_ADDON_NAME');
});
