/**
 * hop3-server configuration: defaults, then a JSON file, then HOP3_* env vars,
 * validated with TypeBox once at start. A value is honoured or rejected, with
 * the key path and the source (file or env var) in the message.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { HOSTNAME_PATTERN } from '../shared-protocol/ops/fields.ts';
import { Hop3Error } from '../shared-protocol/errors.ts';
import { AddonsConfigSchema, addonsConfigProblem, DEFAULT_ADDONS_CONFIG } from './addons/config.ts';
import { parseListen, type ListenAddress } from './listen-address.ts';

const Abs = Type.String({ minLength: 1, maxLength: 4096, pattern: '^/[^\\u0000]*$', description: 'absolute path' });

export const ServerConfigSchema = Type.Object(
  {
    /** `host:port` (IPv4, [IPv6] or localhost; port 0 = any free port) or an absolute Unix socket path. */
    listen: Type.String({ minLength: 1, maxLength: 4096 }),
    /** Holds hop3.db (+ -wal/-shm) and server.key; created 0700. */
    data_dir: Abs,
    /** hop3-rootd's Unix socket. */
    rootd_socket: Abs,
    /** How long one rootd call may take, in ms. */
    rootd_timeout_ms: Type.Integer({ minimum: 100, maximum: 600_000 }),
    /** Apps default to <app>.<domain>. */
    domain: Type.String({ minLength: 1, maxLength: 253, pattern: HOSTNAME_PATTERN }),
    /** APP_ROOT: where app trees live (<app_root>/<app>/...); must match rootd's app_root. */
    app_root: Abs,
    /** APP_START_TIMEOUT: default seconds a new release has to pass its health check. */
    app_start_timeout_s: Type.Integer({ minimum: 1, maximum: 3600 }),
    /** How many release trees the deploy pipeline keeps per app besides the current one (for rollback). */
    keep_releases: Type.Integer({ minimum: 1, maximum: 100 }),
    /** Default timeout of `hop3 run` one-off commands, in seconds. */
    run_timeout_s: Type.Integer({ minimum: 1, maximum: 86_400 }),
    /** The app runtime: the uWSGI emperor and where vassals, pidfiles and app logs live. */
    runtime: Type.Object(
      {
        /** local: hop3-server starts its own emperor (dev, tests); external: a system emperor (hop3-emperor unit) watches vassal_dir. */
        emperor: Type.Union([Type.Literal('local'), Type.Literal('external')]),
        /** The uWSGI binary a local emperor runs. */
        uwsgi: Abs,
        vassal_dir: Abs,
        /** Pidfiles of vassal masters (and of a local emperor). */
        run_dir: Abs,
        /** App logs: <log_dir>/<app>/<app>__<release>__<type>__<index>.log. */
        log_dir: Abs,
        /** An external emperor's pidfile, so the server can ask it to rescan at once (SIGWINCH); empty: it rescans every second. */
        emperor_pidfile: Type.String({ maxLength: 4096, pattern: '^(/[^\\u0000]*)?$' }),
        /** Loopback ports for web processes (keep them below 32768, the kernel's ephemeral range). */
        port_min: Type.Integer({ minimum: 1024, maximum: 65535 }),
        port_max: Type.Integer({ minimum: 1024, maximum: 65535 }),
      },
      { additionalProperties: false },
    ),
    /** Largest JSON request body, in bytes. */
    max_body_bytes: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024 }),
    log_level: Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')]),
    auth: Type.Object(
      {
        /** Failed authentications a client address may make in a burst. */
        failure_burst: Type.Integer({ minimum: 1, maximum: 10_000 }),
        /** Failed authentications per minute refilled after the burst. */
        failures_per_minute: Type.Number({ exclusiveMinimum: 0, maximum: 60_000 }),
        /** Peers whose X-Forwarded-For is trusted for the client address (e.g. ["127.0.0.1"] behind nginx). */
        trusted_proxies: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 32 }),
      },
      { additionalProperties: false },
    ),
    /** Addon servers the operator offers (server/addons/config.ts); a type without a section is refused. */
    addons: AddonsConfigSchema,
  },
  { additionalProperties: false },
);
export type ServerConfigData = Static<typeof ServerConfigSchema>;

export interface ServerConfig extends ServerConfigData {
  readonly listenAddress: ListenAddress;
  readonly dbPath: string;
  readonly keyPath: string;
}

export const DEFAULT_CONFIG: ServerConfigData = {
  listen: '127.0.0.1:8000',
  data_dir: '/var/lib/hop3',
  // Defaults match deploy/install-rootd.sh: rootd's socket in its root:hop3 0750 dir,
  // the app root under a root-owned parent (rootd refuses a writable parent).
  rootd_socket: '/run/hop3/rootd.sock',
  rootd_timeout_ms: 30_000,
  domain: 'localhost',
  app_root: '/srv/hop3/apps',
  app_start_timeout_s: 60,
  keep_releases: 3,
  run_timeout_s: 600,
  runtime: {
    emperor: 'external',
    uwsgi: '/usr/bin/uwsgi',
    vassal_dir: '/var/lib/hop3/vassals',
    // Not /run/hop3: that is rootd's socket directory (root:hop3 0750), not writable by hop3.
    run_dir: '/run/hop3-server',
    log_dir: '/var/log/hop3/apps',
    emperor_pidfile: '',
    port_min: 20000,
    port_max: 29999,
  },
  max_body_bytes: 1024 * 1024,
  log_level: 'info',
  auth: { failure_burst: 10, failures_per_minute: 10, trusted_proxies: [] },
  addons: DEFAULT_ADDONS_CONFIG,
};

type EnvKind = 'string' | 'int' | 'number' | 'list';
/** HOP3_* variable → [key path, kind]. */
export const ENV_OVERRIDES: Readonly<Record<string, readonly [readonly string[], EnvKind]>> = {
  HOP3_LISTEN: [['listen'], 'string'],
  HOP3_DATA_DIR: [['data_dir'], 'string'],
  HOP3_ROOTD_SOCKET: [['rootd_socket'], 'string'],
  HOP3_ROOTD_TIMEOUT_MS: [['rootd_timeout_ms'], 'int'],
  HOP3_DOMAIN: [['domain'], 'string'],
  HOP3_APP_ROOT: [['app_root'], 'string'],
  HOP3_APP_START_TIMEOUT: [['app_start_timeout_s'], 'int'],
  HOP3_KEEP_RELEASES: [['keep_releases'], 'int'],
  HOP3_RUN_TIMEOUT: [['run_timeout_s'], 'int'],
  HOP3_EMPEROR: [['runtime', 'emperor'], 'string'],
  HOP3_UWSGI: [['runtime', 'uwsgi'], 'string'],
  HOP3_VASSAL_DIR: [['runtime', 'vassal_dir'], 'string'],
  HOP3_RUN_DIR: [['runtime', 'run_dir'], 'string'],
  HOP3_APP_LOG_DIR: [['runtime', 'log_dir'], 'string'],
  HOP3_EMPEROR_PIDFILE: [['runtime', 'emperor_pidfile'], 'string'],
  HOP3_APP_PORT_MIN: [['runtime', 'port_min'], 'int'],
  HOP3_APP_PORT_MAX: [['runtime', 'port_max'], 'int'],
  HOP3_MAX_BODY_BYTES: [['max_body_bytes'], 'int'],
  HOP3_LOG_LEVEL: [['log_level'], 'string'],
  HOP3_AUTH_FAILURE_BURST: [['auth', 'failure_burst'], 'int'],
  HOP3_AUTH_FAILURES_PER_MINUTE: [['auth', 'failures_per_minute'], 'number'],
  HOP3_TRUSTED_PROXIES: [['auth', 'trusted_proxies'], 'list'],
  HOP3_EXTRA_PG_EXTENSIONS: [['addons', 'extra_pg_extensions'], 'list'],
};
/** HOP3_* names used by other programs (the CLI, rootd, tests), ignored here without a warning. */
const FOREIGN_ENV = new Set(['HOP3_CONFIG', 'HOP3_API_URL', 'HOP3_API_TOKEN', 'HOP3_APP', 'HOP3_ROOTD_TEST_CRASH_AT']);

function configError(message: string, hint = 'Fix the value; see docs/server.md for every setting.'): Hop3Error {
  return new Hop3Error('E_CONFIG_INVALID', message, { hint });
}

function envValue(name: string, raw: string, kind: EnvKind): unknown {
  if (kind === 'string') return raw;
  if (kind === 'list') return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const re = kind === 'int' ? /^-?\d+$/ : /^-?\d+(\.\d+)?$/;
  if (!re.test(raw.trim())) throw configError(`${name}=${JSON.stringify(raw)} is not ${kind === 'int' ? 'an integer' : 'a number'}`);
  return Number(raw.trim());
}

function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let cur = obj;
  for (const key of path.slice(0, -1)) {
    const next = cur[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1] as string] = value;
}

function mergeDefaults(file: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...structuredClone(DEFAULT_CONFIG), ...file };
  const auth = file['auth'];
  if (typeof auth === 'object' && auth !== null && !Array.isArray(auth)) merged['auth'] = { ...DEFAULT_CONFIG.auth, ...auth };
  const runtime = file['runtime'];
  if (typeof runtime === 'object' && runtime !== null && !Array.isArray(runtime)) merged['runtime'] = { ...DEFAULT_CONFIG.runtime, ...runtime };
  const addons = file['addons'];
  if (typeof addons === 'object' && addons !== null && !Array.isArray(addons)) merged['addons'] = { ...DEFAULT_CONFIG.addons, ...addons };
  return merged;
}

export interface ResolvedConfig {
  readonly config: ServerConfig;
  /** Non-fatal notes for the start-up log (e.g. unknown HOP3_* variables). */
  readonly warnings: string[];
}

/** Defaults ← file (if any) ← env; throws E_CONFIG_INVALID naming the key and its source. */
export function resolveConfig(opts: { file?: string | undefined; env?: Readonly<Record<string, string | undefined>> }): ResolvedConfig {
  const env = opts.env ?? {};
  const sources = new Map<string, string>();
  let fileData: Record<string, unknown> = {};
  if (opts.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(opts.file, 'utf8');
    } catch (e) {
      throw configError(`cannot read config file ${opts.file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 'Check the path given with --config or HOP3_CONFIG.');
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw configError(`config file ${opts.file} is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw configError(`config file ${opts.file} must hold a JSON object`);
    fileData = raw as Record<string, unknown>;
  }
  const data = mergeDefaults(fileData);
  const warnings: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('HOP3_') || raw === undefined) continue;
    const spec = ENV_OVERRIDES[name];
    if (spec === undefined) {
      if (!FOREIGN_ENV.has(name)) warnings.push(`ignoring unknown environment variable ${name}`);
      continue;
    }
    setPath(data, spec[0], envValue(name, raw, spec[1]));
    sources.set(`/${spec[0].join('/')}`, name);
  }
  const first = Value.Errors(ServerConfigSchema, data).First();
  if (first !== undefined) {
    const key = first.path === '' ? '(root)' : first.path.slice(1).replaceAll('/', '.');
    const from = sources.get(first.path) ?? (opts.file === undefined ? 'defaults' : opts.file);
    const unknown = first.message.includes('additional') || first.message.includes('Unexpected property');
    const what = unknown ? `unknown setting ${key}` : `${key}: ${first.message}${first.value === undefined ? '' : ` (got ${JSON.stringify(first.value)})`}`;
    throw configError(`invalid server config (${from}): ${what}`);
  }
  const valid = data as ServerConfigData;
  let listenAddress: ListenAddress;
  try {
    listenAddress = parseListen(valid.listen);
  } catch (e) {
    throw configError(`invalid server config (${sources.get('/listen') ?? opts.file ?? 'defaults'}): listen: ${(e as Error).message}`);
  }
  if (!isAbsolute(valid.data_dir)) throw configError('data_dir must be absolute');
  if (valid.runtime.port_min > valid.runtime.port_max) throw configError(`runtime.port_min ${valid.runtime.port_min} is above runtime.port_max ${valid.runtime.port_max}`);
  const addonsProblem = addonsConfigProblem(valid.addons);
  if (addonsProblem !== undefined) throw configError(`invalid server config (${opts.file ?? 'defaults'}): ${addonsProblem}`, 'See docs/addons.md for the addons section.');
  return {
    config: { ...valid, listenAddress, dbPath: join(valid.data_dir, 'hop3.db'), keyPath: join(valid.data_dir, 'server.key') },
    warnings,
  };
}
