/**
 * What both s3 backends share: the bucket name, the env contract, an S3
 * client (the `minio` npm package, which speaks plain S3 SigV4 to any
 * S3-compatible server), the status check with the addon's own keys, and
 * emptying + removing a bucket.
 */
import { Client } from 'minio';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { AddonHosts, AddonStatus, Provisioned } from './backend.ts';

export const S3_ENV_KEYS = [
  'S3_ENDPOINT', 'S3_BUCKET', 'S3_ACCESS_KEY', 'S3_SECRET_KEY', 'S3_REGION', 'S3_USE_PATH_STYLE',
  'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_DEFAULT_REGION', 'AWS_ENDPOINT_URL',
] as const;

/** Where the S3 server is, as the backend (server side) reaches it. */
export interface S3Endpoint {
  /** Host name or IP of the S3 API. */
  readonly host: string;
  readonly port: number;
  readonly useSSL: boolean;
  /** Default us-east-1. */
  readonly region?: string | undefined;
  /**
   * The endpoint URL apps get. Absent: scheme://<hosts.appHost('s3')>:<port>
   * (right for a local MinIO); set it for a remote endpoint (e.g. https://s3.example.net).
   */
  readonly appEndpoint?: string | undefined;
}

/**
 * `hop3-<name>`. S3 bucket names are 3-63 chars of [a-z0-9-] starting and
 * ending with a letter or digit; addon names allow 63 chars and a trailing
 * dash, so the longest and dash-ended ones are refused here, clearly.
 */
export function s3BucketName(name: string): string {
  const bucket = `hop3-${name}`;
  if (!/^[a-z][a-z0-9-]*[a-z0-9]$/.test(bucket) || bucket.length > 63) {
    throw new Hop3Error('E_INVALID_ADDON_NAME', `addon name ${JSON.stringify(name)} does not make a valid S3 bucket name (${bucket.length} chars)`, {
      hint: 'For s3 addons use at most 58 characters, ending with a letter or digit.',
    });
  }
  return bucket;
}

export function s3Region(ep: S3Endpoint): string {
  return ep.region ?? 'us-east-1';
}

export function s3AppEndpoint(ep: S3Endpoint, hosts: AddonHosts): string {
  if (ep.appEndpoint !== undefined) return ep.appEndpoint.replace(/\/+$/, '');
  const host = hosts.appHost('s3');
  return `${ep.useSSL ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${ep.port}`;
}

/** The injected variables: the S3_* names plus the AWS_* ones SDKs read by default. */
export function s3Env(ep: S3Endpoint, hosts: AddonHosts, p: Provisioned): Record<string, string> {
  const bucket = String(p.resource['bucket']);
  const accessKey = p.secrets['accessKey'] ?? '';
  const secretKey = p.secrets['secretKey'] ?? '';
  const endpoint = s3AppEndpoint(ep, hosts);
  const region = s3Region(ep);
  return {
    S3_ENDPOINT: endpoint,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY: accessKey,
    S3_SECRET_KEY: secretKey,
    S3_REGION: region,
    S3_USE_PATH_STYLE: 'true',
    AWS_ACCESS_KEY_ID: accessKey,
    AWS_SECRET_ACCESS_KEY: secretKey,
    AWS_DEFAULT_REGION: region,
    AWS_ENDPOINT_URL: endpoint,
  };
}

export function s3Client(ep: S3Endpoint, accessKey: string, secretKey: string): Client {
  return new Client({ endPoint: ep.host, port: ep.port, useSSL: ep.useSSL, accessKey, secretKey, region: s3Region(ep), pathStyle: true });
}

function codeOf(e: unknown): string {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function isS3Unreachable(e: unknown): boolean {
  return /ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|ECONNRESET/.test(`${codeOf(e)} ${messageOf(e)}`);
}

/** HEAD the bucket and list one key with the addon's own keys. */
export async function s3Status(ep: S3Endpoint, p: Provisioned): Promise<AddonStatus> {
  const bucket = String(p.resource['bucket']);
  const c = s3Client(ep, p.secrets['accessKey'] ?? '', p.secrets['secretKey'] ?? '');
  try {
    if (!(await c.bucketExists(bucket))) return { ok: false, detail: `bucket ${bucket} does not exist` };
    let any = false;
    for await (const _item of c.listObjectsV2(bucket, '', true)) {
      any = true;
      break;
    }
    return { ok: true, detail: `bucket ${bucket} reachable with the addon's key at ${ep.host}:${ep.port} (${any ? 'has objects' : 'empty'})` };
  } catch (e) {
    return { ok: false, detail: `bucket ${bucket}: ${codeOf(e) || messageOf(e)}` };
  }
}

/** Delete every object, then the bucket; a missing bucket is success (idempotent). */
export async function s3EmptyAndRemove(c: Client, bucket: string): Promise<void> {
  if (!(await c.bucketExists(bucket))) return;
  for (;;) {
    const names: string[] = [];
    for await (const item of c.listObjectsV2(bucket, '', true)) {
      if (typeof item.name === 'string') names.push(item.name);
      if (names.length >= 1000) break;
    }
    if (names.length === 0) break;
    for (const name of names) await c.removeObject(bucket, name);
  }
  try {
    await c.removeBucket(bucket);
  } catch (e) {
    if (codeOf(e) !== 'NoSuchBucket') throw e;
  }
}
