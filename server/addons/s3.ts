/**
 * The s3 backend interface: one AddonBackend, two implementations chosen by
 * the operator config —
 * - `minio`: MinIO through its `mc` admin client (s3-mc.ts): bucket, a
 *   bucket-scoped policy and a per-addon user. Tested by exact argv only.
 * - `generic`: any S3 endpoint with operator keys (s3-generic.ts): bucket
 *   create/delete only; apps share the operator-scoped app keys. Data path
 *   tested against s3rver.
 */
import type { AddonBackend, AddonHosts } from './backend.ts';
import { createGenericS3Backend, type GenericS3Config } from './s3-generic.ts';
import { createMinioMcBackend, type McRunner, type MinioMcConfig } from './s3-mc.ts';

export type S3BackendConfig = ({ readonly kind: 'minio' } & MinioMcConfig) | ({ readonly kind: 'generic' } & GenericS3Config);

export function createS3Backend(cfg: S3BackendConfig, hosts: AddonHosts, mcRunner?: McRunner): AddonBackend {
  return cfg.kind === 'minio' ? createMinioMcBackend(cfg, hosts, mcRunner) : createGenericS3Backend(cfg, hosts);
}
