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
      Type.Object({ host: Host, port: Port, user: Type.String({ minLength: 1, maxLength: 63 }), password: Secret, database: Type.String({ minLength: 1, maxLength: 63 }), app_host: AppHost }, { additionalProperties: false }),
    ),
    mysql: Type.Optional(Type.Object({ host: Host, port: Port, user: Type.String({ minLength: 1, maxLength: 80 }), password: Type.Optional(Secret), socket_path: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, pattern: '^/' })), app_host: AppHost }, { additionalProperties: false })),
    redis: Type.Optional(
      Type.Object(
        {
          host: Host,
          port: Port,
          password: Type.Optional(Secret),
          /** Logical databases on the server (redis.conf `databases`, default 16). */
          databases: Type.Integer({ minimum: 1, maximum: 100_000 }),
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
          endpoint: Type.String({ minLength: 1, maxLength: 2048 }),
          region: Type.String({ minLength: 1, maxLength: 64 }),
          access_key: Type.String({ minLength: 1, maxLength: 256 }),
          secret_key: Secret,
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

export const DEFAULT_ADDONS_CONFIG: AddonsConfig = { extra_pg_extensions: [] };
