/**
 * The operator's addon settings (server config `addons`): per type, the admin
 * connection the backend provisions through. A type without a section is not
 * offered: creating one answers E_ADDON_TYPE_UNAVAILABLE with a hint.
 * Admin passwords live only here (the config file is the operator's, 0600).
 */
import { Type, type Static } from '@sinclair/typebox';

const Host = Type.String({ minLength: 1, maxLength: 253 });
const Port = Type.Integer({ minimum: 1, maximum: 65535 });
const Secret = Type.String({ maxLength: 1024 });
/** The host apps use in URLs and *_HOST (default 127.0.0.1); the Docker rewrite changes only this. */
const AppHost = Type.Optional(Type.String({ minLength: 1, maxLength: 253 }));

export const AddonsConfigSchema = Type.Object(
  {
    /** Extra PostgreSQL extensions allowed on this install (HOP3_EXTRA_PG_EXTENSIONS); the hard-deny set still wins. */
    extra_pg_extensions: Type.Array(Type.String({ minLength: 1, maxLength: 63 }), { maxItems: 256 }),
    postgres: Type.Optional(
      Type.Object(
        {
          /** Host name, IP, or a unix socket directory (starts with "/"). */
          host: Host,
          port: Port,
          /** A superuser (extensions are installed as it). */
          user: Type.String({ minLength: 1, maxLength: 63 }),
          password: Type.Optional(Secret),
          /** The database the admin connects to for role/database DDL (e.g. "postgres"). */
          database: Type.String({ minLength: 1, maxLength: 63 }),
          app_host: AppHost,
        },
        { additionalProperties: false },
      ),
    ),
    mysql: Type.Optional(Type.Object({ host: Host, port: Port, user: Type.String({ minLength: 1, maxLength: 80 }), password: Type.Optional(Secret), socket_path: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, pattern: '^/' })), app_host: AppHost }, { additionalProperties: false })),
    redis: Type.Optional(
      Type.Object(
        {
          host: Host,
          port: Port,
          /** An ACL admin user (needs ACL, CONFIG, FLUSHDB); the default user when absent. */
          user: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
          password: Type.Optional(Secret),
          /** Logical databases on the server (redis.conf `databases`, default 16); hop3 hands out 1..databases-1 (never DB 0). */
          databases: Type.Integer({ minimum: 2, maximum: 100_000 }),
          /** auto (default): a per-addon ACL user where the server has ACL (Redis >= 6); off: apps share the server password. */
          acl: Type.Optional(Type.Union([Type.Literal('auto'), Type.Literal('off')])),
          app_host: AppHost,
        },
        { additionalProperties: false },
      ),
    ),
    s3: Type.Optional(
      Type.Object(
        {
          /** minio: buckets + scoped users through `mc admin`; generic: buckets only, apps share the operator key. */
          kind: Type.Union([Type.Literal('minio'), Type.Literal('generic')]),
          /** The S3 API as hop3-server reaches it: http(s)://host:port (no path). */
          endpoint: Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://' }),
          region: Type.String({ minLength: 1, maxLength: 64 }),
          /** Operator (admin) keys: create/delete buckets (and users, for minio). Never given to apps. */
          access_key: Type.String({ minLength: 1, maxLength: 256 }),
          secret_key: Secret,
          /** kind = generic: the operator-scoped keys every s3 addon's apps receive (required there). */
          app_access_key: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
          app_secret_key: Type.Optional(Secret),
          /** The endpoint URL apps get; default: the endpoint's scheme and port on 127.0.0.1. */
          app_endpoint: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, pattern: '^https?://' })),
          /** MinIO's admin client binary (kind = minio). */
          mc: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, pattern: '^/' })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type AddonsConfig = Static<typeof AddonsConfigSchema>;

/** Checks the schema cannot express; a message naming the key, or undefined when fine. */
export function addonsConfigProblem(c: AddonsConfig): string | undefined {
  const s3 = c.s3;
  if (s3 === undefined) return undefined;
  try {
    const u = new URL(s3.endpoint);
    if (u.pathname !== '/' || u.search !== '' || u.username !== '') return `addons.s3.endpoint must be http(s)://host[:port] without path, query or credentials`;
  } catch {
    return `addons.s3.endpoint is not a URL`;
  }
  if (s3.kind === 'generic' && (s3.app_access_key === undefined || s3.app_secret_key === undefined)) {
    return 'addons.s3 of kind generic needs app_access_key and app_secret_key (the keys apps receive; the admin keys are never given out)';
  }
  return undefined;
}

export const DEFAULT_ADDONS_CONFIG: AddonsConfig = { extra_pg_extensions: [] };
