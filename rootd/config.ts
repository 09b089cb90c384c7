/**
 * rootd's own configuration: root-owned JSON, read once at start. Nothing in a
 * request can change it. Every path an op touches is derived from these roots.
 */
import { lstatSync, readFileSync, statSync, realpathSync } from 'node:fs';
import { dirname } from 'node:path';
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
    /**
     * cgroup.attach_pids accepts only processes whose uids are all in this list (the app users).
     * Default: socket.allowed_uids without root — today apps run as the hop3-server user.
     */
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
    /** Policy of table inet hop3's input chain: 'drop' (closed unless a rule opens; the installer's default) or 'accept' (what an absent section means). */
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
  if (opts.requireOwner !== undefined) {
    const uid = opts.requireOwner;
    // Whoever can write a directory above these can swap it for a symlink before rootd
    // starts: every ancestor must be owned by root and not group/other-writable.
    assertTrustedChain(dirname(cfg.state_file), uid, 'state_file directory');
    assertTrustedChain(dirname(cfg.op_log), uid, 'op_log directory');
    assertTrustedChain(cfg.nginx.site_dir, uid, 'nginx.site_dir');
    assertTrustedChain(cfg.nginx.tls_dir, uid, 'nginx.tls_dir');
    assertTrustedChain(dirname(realpathSync(cfg.app_root)), uid, 'the parent of app_root');
  }
  // Canonicalize roots once so the path guard compares against real paths.
  return { ...cfg, app_root: realpathSync(cfg.app_root), cgroup_root: realpathSync(cfg.cgroup_root) };
}

/**
 * `path` (after realpath) and every ancestor up to / must be owned by `uid` and
 * not writable by group or other — except sticky directories such as /tmp,
 * where others cannot rename or remove an entry they do not own.
 */
export function assertTrustedChain(path: string, uid: number, what: string): void {
  let cur: string;
  try {
    cur = realpathSync(path);
  } catch {
    throw new Hop3Error('E_CONFIG_INVALID', `${what} ${path} does not exist`, { hint: 'Create it (root-owned, mode 0750 or stricter) or fix the rootd config.' });
  }
  for (;;) {
    const st = lstatSync(cur);
    const sticky = (st.mode & 0o1000) !== 0;
    if (st.uid !== uid || ((st.mode & 0o022) !== 0 && !sticky)) {
      throw new Hop3Error('E_CONFIG_INVALID', `${what}: ${cur} must be owned by uid ${uid} and not group/other-writable (owner ${st.uid}, mode ${(st.mode & 0o7777).toString(8)})`, {
        hint: `A directory writable by another user above rootd's paths lets that user redirect them: chown ${uid} ${cur} && chmod go-w ${cur}.`,
      });
    }
    if (cur === '/') return;
    cur = dirname(cur);
  }
}
