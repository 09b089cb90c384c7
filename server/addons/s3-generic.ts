/**
 * s3 backend (b): a generic S3 endpoint without an admin API (AWS S3,
 * Garage, Ceph RGW, ...). The operator's credentials create and delete the
 * bucket `hop3-<name>`; nothing else is created.
 *
 * THE LIMIT, plainly: there is no per-addon key. Every addon gets the same
 * app credentials from the operator config (`appAccessKey`/`appSecretKey`,
 * which the operator should scope to `arn:aws:s3:::hop3-*` on the server side);
 * one addon's app can therefore read every other hop3 bucket those keys reach.
 * Use the MinIO backend (s3-mc.ts) where per-addon isolation matters.
 */
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { AddonBackend, AddonHosts } from './backend.ts';
import { isS3Unreachable, messageOf, S3_ENV_KEYS, s3BucketName, s3Client, s3EmptyAndRemove, s3Env, s3Region, s3Status, type S3Endpoint } from './s3-common.ts';

export interface GenericS3Config extends S3Endpoint {
  /** Operator credentials: create/delete buckets. Never given to apps. */
  readonly adminAccessKey: string;
  readonly adminSecretKey: string;
  /** The (operator-scoped) credentials every s3 addon's app receives. */
  readonly appAccessKey: string;
  readonly appSecretKey: string;
}

function wrap(what: string, e: unknown, cfg: GenericS3Config): Hop3Error {
  if (e instanceof Hop3Error) return e;
  if (isS3Unreachable(e)) {
    return new Hop3Error('E_ADDON_BACKEND_UNREACHABLE', `S3 endpoint ${cfg.host}:${cfg.port} unreachable while ${what}`, {
      hint: 'Check addons.s3 host/port and that the S3 server runs.',
    });
  }
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
  return new Hop3Error('E_ADDON_PROVISION_FAILED', `S3 ${what} failed: ${code || messageOf(e)}`, {
    hint: 'Check the operator credentials (they need CreateBucket/DeleteBucket/DeleteObject) and the S3 server log.',
  });
}

export function createGenericS3Backend(cfg: GenericS3Config, hosts: AddonHosts): AddonBackend {
  const admin = s3Client(cfg, cfg.adminAccessKey, cfg.adminSecretKey);
  return {
    type: 's3',
    envKeys: S3_ENV_KEYS,
    supportedBackupMethods: [],

    async provision(name) {
      const bucket = s3BucketName(name);
      let created = false;
      try {
        if (await admin.bucketExists(bucket)) {
          throw new Hop3Error('E_ADDON_PROVISION_FAILED', `bucket ${bucket} already exists and no addon owns it`, {
            hint: 'Remove or rename the stray bucket, or pick another addon name.',
          });
        }
        await admin.makeBucket(bucket, s3Region(cfg));
        created = true;
        return {
          resource: { bucket, backend: 'generic', endpoint: `${cfg.host}:${cfg.port}`, perAddonKey: false },
          secrets: { accessKey: cfg.appAccessKey, secretKey: cfg.appSecretKey },
        };
      } catch (e) {
        if (created) await admin.removeBucket(bucket).catch(() => undefined);
        throw wrap(`creating bucket ${bucket}`, e, cfg);
      }
    },

    env(_name, p) {
      return s3Env(cfg, hosts, p);
    },

    async status(_name, p) {
      const st = await s3Status(cfg, p);
      return st.ok ? { ok: true, detail: `${st.detail}; shared app key (generic endpoint: no per-addon key)` } : st;
    },

    async deprovision(name, p) {
      const bucket = String(p.resource['bucket'] ?? s3BucketName(name));
      try {
        await s3EmptyAndRemove(admin, bucket);
      } catch (e) {
        throw wrap(`removing bucket ${bucket}`, e, cfg);
      }
    },

    async close() {
      // the minio client holds no pooled state we own
    },
  };
}
