/**
 * rootd's own configuration: root-owned JSON, read once at start. Nothing in a
 * request can change it. Every path an op touches is derived from these roots.
 */
import { readFileSync, statSync, realpathSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { AbsolutePath, Port } from '../shared-protocol/ops/fields.ts';
import { Hop3Error } from '../shared-protocol/errors.ts';

export const RootdConfigSchema = Type.Object(
  {
    socket: Type.Object(
      {
        path: AbsolutePath,
        /** Group that owns the socket (the hop3-server user's group), by name or gid. */
        group: Type.Union([Type.String({ minLength: 1, maxLength: 32 }), Type.Integer({ minimum: 0 })]),
        /** Peer uids allowed to call, in addition to root (uid 0). */
        allowed_uids: Type.Array(Type.Integer({ minimum: 0 }), { maxItems: 16 }),
      },
      { additionalProperties: false },
    ),
    state_file: AbsolutePath,
    op_log: AbsolutePath,
    app_root: AbsolutePath,
    cgroup_root: AbsolutePath,
    /** When set, cgroup.attach_pids accepts only processes whose uids are all in this list (the app users). */
    cgroup_attach_uids: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 4294967294 }), { maxItems: 1024 })),
    nginx: Type.Object(
      {
        binary: AbsolutePath,
        /** The main nginx.conf; it must `include <site_dir>/*.conf` inside its http{} block. */
        conf: AbsolutePath,
        site_dir: AbsolutePath,
        /** Optional -p prefix (tests run nginx on a temp prefix). */
        prefix: Type.Optional(AbsolutePath),
        /** Where operator-provisioned certificates live: <tls_dir>/<id>.crt and <id>.key. */
        tls_dir: AbsolutePath,
        /** Port the vhosts and the 444 default_server listen on for HTTP (default 80; tests use < 32768). */
        http_port: Type.Optional(Port),
        /** Port for HTTPS (default 443); its default_server rejects the TLS handshake. */
        https_port: Type.Optional(Port),
        /** Also listen on [::] (default false). */
        ipv6: Type.Optional(Type.Boolean()),
        /**
         * nginx's pid file (the `pid` directive of conf). When set, rootd knows whether nginx runs
         * and waits after `nginx -s reload` until the master has started a new worker generation.
         */
        pid_file: Type.Optional(AbsolutePath),
        /** Passed as `-e`: where nginx logs before it has read its config (default: nginx's build default). */
        error_log: Type.Optional(AbsolutePath),
      },
      { additionalProperties: false },
    ),
    binaries: Type.Object(
      { nft: AbsolutePath, mount: AbsolutePath, umount: AbsolutePath },
      { additionalProperties: false },
    ),
    /** Host directories that bind mounts may use as sources (empty = bind disabled). */
    bind_allowlist: Type.Array(AbsolutePath, { maxItems: 64 }),
    exec_timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })),
    /** Policy of table inet hop3's input chain: 'drop' (default; closed unless a rule opens) or 'accept'. */
    firewall: Type.Optional(
      Type.Object({ policy: Type.Union([Type.Literal('drop'), Type.Literal('accept')]) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
export type RootdConfig = Static<typeof RootdConfigSchema>;

export interface LoadConfigOptions {
  /** Refuse configs not owned by this uid or writable by group/other (production: 0). */
  requireOwner?: number;
}

export function parseConfig(text: string, source: string): RootdConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Hop3Error('E_CONFIG_INVALID', `${source}: not valid JSON: ${(e as Error).message}`, {
      hint: 'The rootd config is a JSON file; see deploy/rootd.example.json.',
    });
  }
  if (!Value.Check(RootdConfigSchema, raw)) {
    const first = [...Value.Errors(RootdConfigSchema, raw)][0];
    throw new Hop3Error('E_CONFIG_INVALID', `${source}: ${first?.path || '/'}: ${first?.message ?? 'invalid'}`, {
      hint: 'Fix the field named; see deploy/rootd.example.json for every field.',
    });
  }
  return raw;
}

export function loadConfig(path: string, opts: LoadConfigOptions = {}): RootdConfig {
  if (opts.requireOwner !== undefined) {
    const st = statSync(path);
    if (st.uid !== opts.requireOwner || (st.mode & 0o022) !== 0) {
      throw new Hop3Error('E_CONFIG_INVALID', `${path}: must be owned by uid ${opts.requireOwner} and not group/other-writable`, {
        hint: `chown ${opts.requireOwner} ${path} && chmod 0600 ${path}`,
      });
    }
  }
  const cfg = parseConfig(readFileSync(path, 'utf8'), path);
  // Canonicalize roots once so the path guard compares against real paths.
  return { ...cfg, app_root: realpathSync(cfg.app_root), cgroup_root: realpathSync(cfg.cgroup_root) };
}
