/**
 * s3 backend (a): MinIO administered through its `mc` client. Per addon:
 * bucket `hop3-<name>`, a canned-policy `hop3-<name>` scoped to that bucket,
 * and a MinIO user (generated access key + secret) with only that policy.
 *
 * Secrets and argv (mc is run with execve-style argv, no shell):
 * - The admin credentials reach mc through the environment variable
 *   MC_HOST_<alias> (scheme://KEY:SECRET@host:port), never argv, and no mc
 *   config file is written with them.
 * - `mc admin user add ALIAS ACCESSKEY SECRETKEY` would put the secret in
 *   argv (visible in ps). mc reads the secret key from stdin when it is given
 *   only ALIAS ACCESSKEY (cmd/admin-user-add.go fetchUserKeys: a line from a
 *   non-terminal stdin), so the secret goes through stdin. The access key is
 *   in argv: it is a user name, not a secret.
 * - mc's stdout is never logged (its --json output of user add echoes the
 *   secret); its stderr is included in errors with every secret redacted.
 * These builders are tested by exact argv; `mc` is not installed on the
 * development machine, so no test runs a real mc against a real MinIO.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { AddonBackend, AddonHosts } from './backend.ts';
import { S3_ENV_KEYS, s3BucketName, s3Env, s3Region, s3Status, type S3Endpoint } from './s3-common.ts';

export const MC_ALIAS = 'hop3';

export interface McCall {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly stdin?: string | undefined;
}
export interface McResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}
export type McRunner = (call: McCall) => Promise<McResult>;

export interface MinioMcConfig extends S3Endpoint {
  readonly adminAccessKey: string;
  readonly adminSecretKey: string;
  /** Path of the mc binary; default `mc` on PATH. */
  readonly mcPath?: string | undefined;
}

// ---- pure argv builders -------------------------------------------------
export const mcArgv = {
  makeBucket: (bucket: string, region: string): string[] => ['mb', '--region', region, `${MC_ALIAS}/${bucket}`],
  removeBucket: (bucket: string): string[] => ['rb', '--force', `${MC_ALIAS}/${bucket}`],
  policyCreate: (policy: string, file: string): string[] => ['admin', 'policy', 'create', MC_ALIAS, policy, file],
  policyRemove: (policy: string): string[] => ['admin', 'policy', 'rm', MC_ALIAS, policy],
  /** The secret key is NOT here: it is written to mc's stdin. */
  userAdd: (accessKey: string): string[] => ['admin', 'user', 'add', MC_ALIAS, accessKey],
  userRemove: (accessKey: string): string[] => ['admin', 'user', 'rm', MC_ALIAS, accessKey],
  policyAttach: (policy: string, accessKey: string): string[] => ['admin', 'policy', 'attach', MC_ALIAS, policy, '--user', accessKey],
};

/** MC_HOST_<alias>: how mc gets the admin credentials without argv or a config file. */
export function mcHostEnv(cfg: MinioMcConfig): Record<string, string> {
  const scheme = cfg.useSSL ? 'https' : 'http';
  const host = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  const cred = `${encodeURIComponent(cfg.adminAccessKey)}:${encodeURIComponent(cfg.adminSecretKey)}`;
  return { [`MC_HOST_${MC_ALIAS}`]: `${scheme}://${cred}@${host}:${cfg.port}` };
}

/** The bucket-scoped policy: list/locate the bucket, read/write/delete its objects, nothing else. */
export function bucketPolicy(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], Resource: [`arn:aws:s3:::${bucket}`] },
      {
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
        Resource: [`arn:aws:s3:::${bucket}/*`],
      },
    ],
  });
}

/** MinIO access keys: 20 chars, [A-Z0-9]; secrets: 40 chars base64url. */
export function generateMinioKeys(): { accessKey: string; secretKey: string } {
  return { accessKey: `HOP3${randomBytes(8).toString('hex').toUpperCase()}`, secretKey: randomBytes(30).toString('base64url') };
}

// ---- the runner ---------------------------------------------------------
export function spawnMcRunner(mcPath = 'mc'): McRunner {
  return (call) =>
    new Promise((resolve, reject) => {
      const child = spawn(mcPath, [...call.argv], {
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', ...call.env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.on('error', () => undefined);
      child.stdin.end(call.stdin ?? '');
    });
}

const GONE = /does not exist|not found|NoSuchBucket|NoSuchPolicy|NoSuchUser/i;

export function createMinioMcBackend(cfg: MinioMcConfig, hosts: AddonHosts, runner: McRunner = spawnMcRunner(cfg.mcPath)): AddonBackend {
  const env = mcHostEnv(cfg);

  async function mc(argv: string[], secrets: readonly string[], stdin?: string): Promise<McResult> {
    let r: McResult;
    try {
      r = await runner({ argv, env, stdin });
    } catch (e) {
      const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : '';
      throw new Hop3Error('E_ADDON_BACKEND_UNREACHABLE', `cannot run mc (${code || 'spawn failed'})`, {
        hint: 'Install the MinIO client `mc` on the server, or set addons.s3.mc_path.',
      });
    }
    if (r.code !== 0) {
      let err = r.stderr.trim().slice(0, 500);
      for (const s of [...secrets, cfg.adminSecretKey]) if (s !== '') err = err.split(s).join('***');
      const what = argv.slice(0, argv[0] === 'admin' ? 3 : 1).join(' ');
      throw Object.assign(new Hop3Error('E_ADDON_PROVISION_FAILED', `mc ${what} failed (exit ${r.code}): ${err}`, {
        hint: 'Check the MinIO admin credentials and that MinIO runs at the configured endpoint.',
      }), { gone: GONE.test(r.stderr) });
    }
    return r;
  }

  /** Deprovision steps tolerate "already gone". */
  async function mcGone(argv: string[]): Promise<void> {
    try {
      await mc(argv, []);
    } catch (e) {
      if (!(e instanceof Hop3Error && (e as Hop3Error & { gone?: boolean }).gone === true)) throw e;
    }
  }

  return {
    type: 's3',
    envKeys: S3_ENV_KEYS,
    supportedBackupMethods: [],

    async provision(name) {
      const bucket = s3BucketName(name);
      const policy = bucket;
      const { accessKey, secretKey } = generateMinioKeys();
      const undo: string[][] = [];
      const dir = mkdtempSync(join(tmpdir(), 'hop3-mc-'));
      try {
        await mc(mcArgv.makeBucket(bucket, s3Region(cfg)), []);
        undo.push(mcArgv.removeBucket(bucket));
        const file = join(dir, 'policy.json');
        writeFileSync(file, bucketPolicy(bucket), { mode: 0o600 });
        await mc(mcArgv.policyCreate(policy, file), []);
        undo.push(mcArgv.policyRemove(policy));
        await mc(mcArgv.userAdd(accessKey), [secretKey], `${secretKey}\n`);
        undo.push(mcArgv.userRemove(accessKey));
        await mc(mcArgv.policyAttach(policy, accessKey), [secretKey]);
        return { resource: { bucket, backend: 'minio', policy, accessKey, perAddonKey: true }, secrets: { accessKey, secretKey } };
      } catch (e) {
        for (const argv of undo.reverse()) await mcGone(argv).catch(() => undefined);
        throw e;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },

    env(_name, p) {
      return s3Env(cfg, hosts, p);
    },

    async status(_name, p) {
      return s3Status(cfg, p);
    },

    async deprovision(name, p) {
      const bucket = String(p.resource['bucket'] ?? s3BucketName(name));
      const accessKey = String(p.resource['accessKey'] ?? p.secrets['accessKey'] ?? '');
      await mcGone(mcArgv.removeBucket(bucket));
      if (accessKey !== '') await mcGone(mcArgv.userRemove(accessKey));
      await mcGone(mcArgv.policyRemove(String(p.resource['policy'] ?? bucket)));
    },

    async close() {
      // each mc call is its own process; nothing is held
    },
  };
}
