/**
 * The vhost template: a pure function from validated site params (plus
 * rootd's own ports and paths) to nginx text. Nothing is escaped by hand:
 * every interpolated value is constrained by its schema, and the renderer
 * re-asserts each one against a strict token pattern before using it, so a
 * value that slipped past validation can never become nginx syntax.
 */
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { APP_NAME_PATTERN, HOSTNAME_PATTERN } from '../../shared-protocol/ops/fields.ts';
import {
  ENDPOINT_NAME_PATTERN,
  MAX_UPSTREAM_PORTS,
  SUBDOMAIN_PATTERN,
  URL_PATH_PATTERN,
  type SiteParams,
} from '../../shared-protocol/ops/nginx.ts';

export const MARKER_PREFIX = '# hop3-rootd managed: ';
export const DEFAULT_MARKER = `${MARKER_PREFIX}default`;
export const siteMarker = (app: string): string => `${MARKER_PREFIX}app=${app}`;
/** Not a valid app name (underscore), so it can never collide with <app>.conf. */
export const DEFAULT_SITE_FILE = '_hop3-default.conf';

export interface RenderContext {
  readonly httpPort: number;
  readonly httpsPort: number;
  readonly ipv6: boolean;
  /** Canonical tls_dir from rootd's config. */
  readonly tlsDir: string;
  /** <APP_ROOT>/<app>/src/<static_root>, produced by the path guard (required iff params.static_root). */
  readonly staticRootPath?: string;
}

const APP_RE = new RegExp(APP_NAME_PATTERN);
const HOST_RE = new RegExp(HOSTNAME_PATTERN);
const SUB_RE = new RegExp(SUBDOMAIN_PATTERN);
const URL_PATH_RE = new RegExp(URL_PATH_PATTERN);
const ENDPOINT_NAME_RE = new RegExp(ENDPOINT_NAME_PATTERN);
/** Absolute file-system paths rootd itself puts in nginx text (static root, certificate files). */
const SAFE_ABS_PATH_RE = /^(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$/;
const CERT_ID_RE = /^[a-z0-9][a-z0-9._-]{0,127}$/;

function assertToken(what: string, value: unknown, re: RegExp): string {
  if (typeof value !== 'string' || !re.test(value)) {
    throw new Hop3Error('E_NGINX_INVALID_SITE', `refusing to render ${what} ${JSON.stringify(String(value).slice(0, 80))}: not a safe nginx token`, {
      hint: 'This value should have been rejected by the op schema; report it.',
    });
  }
  return value;
}

function assertPort(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Hop3Error('E_NGINX_INVALID_SITE', `refusing to render ${what} ${JSON.stringify(value)}: not a port`);
  }
  return value;
}

/** `listen` lines for one port (IPv4, and IPv6 when configured). */
function listen(ctx: RenderContext, port: number, opts: { ssl: boolean; def: boolean }): string[] {
  const suffix = `${opts.ssl ? ' ssl http2' : ''}${opts.def ? ' default_server' : ''};`;
  const lines = [`    listen ${port}${suffix}`];
  if (ctx.ipv6) lines.push(`    listen [::]:${port}${suffix}`);
  return lines;
}

const PROXY_HEADERS = [
  '    proxy_http_version 1.1;',
  '    proxy_set_header Host $host;',
  '    proxy_set_header X-Real-IP $remote_addr;',
  '    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
  '    proxy_set_header X-Forwarded-Proto $scheme;',
  '    proxy_set_header Upgrade $http_upgrade;',
  '    proxy_set_header Connection $http_connection;',
];

const proxyPass = (port: number): string => `        proxy_pass http://127.0.0.1:${port};`;

/**
 * The app's upstream group name: "hop3_" + the validated app name. App names are
 * unique keys of the state and the mapping is injective, so two apps never share
 * a group; the "hop3_" prefix keeps it apart from nginx's implicit "host:port"
 * upstreams, and [a-z0-9_-] is what nginx accepts in an upstream name.
 */
export const upstreamName = (app: string): string => `hop3_${app}`;
const UPSTREAM_NAME_RE = /^hop3_[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Idle keep-alive connections each worker may cache for the app's group (all copies together). */
export const UPSTREAM_KEEPALIVE = 16;

/**
 * One server line per copy. max_fails=0: a copy is never marked unavailable,
 * so when every copy was briefly down (a restart in place) nginx does not keep
 * answering "no live upstreams" for fail_timeout after they are back; on
 * loopback a refused connection costs microseconds, so trying it is cheap.
 */
function upstreamBlock(name: string, ports: readonly number[]): string[] {
  return [
    `upstream ${name} {`,
    ...ports.map((p) => `    server 127.0.0.1:${p} max_fails=0;`),
    `    keepalive ${UPSTREAM_KEEPALIVE};`,
    '}',
  ];
}

/**
 * The app's main proxy: a copy that refuses the connection, times out or
 * answers 502 is skipped and the request goes to the next copy (a request
 * already sent with a non-idempotent method, e.g. POST, is not re-sent).
 */
const appProxy = (name: string): string[] => [`        proxy_pass http://${name};`, '        proxy_next_upstream error timeout http_502;'];

function block(head: string, body: string[]): string[] {
  return [`    ${head} {`, ...body, '    }'];
}

/** A path endpoint: "/admin" serves /admin and /admin/...; "/admin/" serves /admin/... */
function pathLocations(path: string, port: number): string[] {
  if (path.endsWith('/')) return block(`location ${path}`, [proxyPass(port)]);
  return [...block(`location = ${path}`, [proxyPass(port)]), '', ...block(`location ${path}/`, [proxyPass(port)])];
}

interface Checked {
  readonly app: string;
  readonly hostnames: string[];
  /** The app's upstream group name and the ports of its copies; undefined for a static-only site. */
  readonly upstream: { name: string; ports: number[] } | undefined;
  readonly staticRoot: string | undefined;
  readonly tls: { crt: string; key: string } | undefined;
  readonly paths: Array<{ name: string; port: number; path: string }>;
  readonly subs: Array<{ name: string; port: number; names: string[] }>;
}

function checkUpstream(app: string, ports: unknown): Checked['upstream'] {
  if (!Array.isArray(ports) || ports.length === 0 || ports.length > MAX_UPSTREAM_PORTS) {
    throw new Hop3Error('E_NGINX_INVALID_SITE', `refusing to render upstream_ports: 1..${MAX_UPSTREAM_PORTS} ports required`);
  }
  const checked = ports.map((p) => assertPort('upstream port', p));
  if (new Set(checked).size !== checked.length) throw new Hop3Error('E_NGINX_INVALID_SITE', 'refusing to render upstream_ports: a port is listed twice');
  return { name: assertToken('upstream name', upstreamName(app), UPSTREAM_NAME_RE), ports: checked };
}

/** Re-assert every value that reaches nginx text. */
function check(site: SiteParams, ctx: RenderContext): Checked {
  const app = assertToken('app', site.app, APP_RE);
  if (!Array.isArray(site.hostnames) || site.hostnames.length === 0) {
    throw new Hop3Error('E_NGINX_INVALID_SITE', 'refusing to render a site without hostnames');
  }
  const hostnames = site.hostnames.map((h) => assertToken('hostname', h, HOST_RE));
  const upstream = site.upstream_ports === undefined ? undefined : checkUpstream(app, site.upstream_ports);
  let staticRoot: string | undefined;
  if (site.static_root !== undefined) {
    if (ctx.staticRootPath === undefined) throw new Hop3Error('E_INTERNAL', 'static root given without its guarded path');
    staticRoot = assertToken('static root', ctx.staticRootPath, SAFE_ABS_PATH_RE);
  }
  if (upstream === undefined && staticRoot === undefined) {
    throw new Hop3Error('E_NGINX_INVALID_SITE', 'refusing to render a site with neither upstream_ports nor static_root');
  }
  let tls: Checked['tls'];
  if (site.tls !== undefined) {
    const id = assertToken('cert_id', site.tls.cert_id, CERT_ID_RE);
    tls = {
      crt: assertToken('certificate path', `${ctx.tlsDir}/${id}.crt`, SAFE_ABS_PATH_RE),
      key: assertToken('key path', `${ctx.tlsDir}/${id}.key`, SAFE_ABS_PATH_RE),
    };
  }
  const paths: Checked['paths'] = [];
  const subs: Checked['subs'] = [];
  for (const ep of site.endpoints ?? []) {
    const name = assertToken('endpoint name', ep.name, ENDPOINT_NAME_RE);
    const port = assertPort(`endpoint ${name} port`, ep.port);
    if ('subdomain' in ep && !('path' in ep)) {
      const sub = assertToken('subdomain', ep.subdomain, SUB_RE);
      subs.push({ name, port, names: hostnames.map((h) => assertToken('server name', `${sub}.${h}`, HOST_RE)) });
    } else if ('path' in ep && !('subdomain' in ep)) {
      paths.push({ name, port, path: assertToken('path', ep.path, URL_PATH_RE) });
    } else {
      throw new Hop3Error('E_NGINX_INVALID_SITE', `endpoint ${name} must have exactly one of subdomain or path`);
    }
  }
  return { app, hostnames, upstream, staticRoot, tls, paths, subs };
}

/**
 * The main server's body: proxy headers (when anything is proxied), path
 * endpoints, then location /: the static root first with the app as fallback,
 * the app alone, or (static-only: no upstream) the static root alone, where a
 * missing file is nginx's own 404.
 */
function mainBody(c: Checked): string[] {
  const proxies = c.upstream !== undefined || c.paths.length > 0;
  const out: string[] = proxies ? [...PROXY_HEADERS] : [];
  if (c.staticRoot !== undefined) out.push(...(proxies ? [''] : []), `    root ${c.staticRoot};`, '    disable_symlinks on;');
  for (const p of c.paths) out.push('', `    # endpoint ${p.name}`, ...pathLocations(p.path, p.port));
  if (c.upstream === undefined) {
    out.push('', ...block('location /', ['        try_files $uri $uri/ =404;']));
  } else if (c.staticRoot !== undefined) {
    out.push('', ...block('location /', ['        try_files $uri $uri/index.html @hop3_upstream;']));
    out.push('', ...block('location @hop3_upstream', appProxy(c.upstream.name)));
  } else {
    out.push('', ...block('location /', appProxy(c.upstream.name)));
  }
  return out;
}

function server(head: string[], body: string[]): string[] {
  return ['server {', ...head, ...(body.length > 0 ? ['', ...body] : []), '}'];
}

/** Render <site_dir>/<app>.conf. Deterministic: same params and context, same bytes. */
export function renderSite(site: SiteParams, ctx: RenderContext): string {
  const c = check(site, ctx);
  const httpPort = assertPort('http_port', ctx.httpPort);
  const httpsPort = assertPort('https_port', ctx.httpsPort);
  const out: string[] = [
    siteMarker(c.app),
    '# Rendered by hop3-rootd from its state file. Do not edit: reconcile rewrites this file.',
  ];
  const servers: string[][] = c.upstream === undefined ? [] : [upstreamBlock(c.upstream.name, c.upstream.ports)];
  if (c.tls === undefined) {
    servers.push(server([...listen(ctx, httpPort, { ssl: false, def: false }), `    server_name ${c.hostnames.join(' ')};`], mainBody(c)));
    for (const s of c.subs) {
      servers.push(
        server(
          [`    # endpoint ${s.name}`, ...listen(ctx, httpPort, { ssl: false, def: false }), `    server_name ${s.names.join(' ')};`],
          [...PROXY_HEADERS, '', ...block('location /', [proxyPass(s.port)])],
        ),
      );
    }
  } else {
    const tlsLines = [`    ssl_certificate ${c.tls.crt};`, `    ssl_certificate_key ${c.tls.key};`];
    const allNames = [...c.hostnames, ...c.subs.flatMap((s) => s.names)];
    const port = httpsPort === 443 ? '' : `:${httpsPort}`;
    servers.push(
      server(
        [
          '    # plain HTTP redirects to HTTPS',
          ...listen(ctx, httpPort, { ssl: false, def: false }),
          `    server_name ${allNames.join(' ')};`,
        ],
        [`    return 301 https://$host${port}$request_uri;`],
      ),
    );
    servers.push(
      server([...listen(ctx, httpsPort, { ssl: true, def: false }), `    server_name ${c.hostnames.join(' ')};`, ...tlsLines], mainBody(c)),
    );
    for (const s of c.subs) {
      servers.push(
        server(
          [`    # endpoint ${s.name}`, ...listen(ctx, httpsPort, { ssl: true, def: false }), `    server_name ${s.names.join(' ')};`, ...tlsLines],
          [...PROXY_HEADERS, '', ...block('location /', [proxyPass(s.port)])],
        ),
      );
    }
  }
  for (const s of servers) out.push('', ...s);
  return out.join('\n') + '\n';
}

/** The default_server file: any Host rootd does not serve gets 444 (HTTP) or a refused handshake (HTTPS). */
export function renderDefaultSite(ctx: Pick<RenderContext, 'httpPort' | 'httpsPort' | 'ipv6'>): string {
  const full: RenderContext = { ...ctx, tlsDir: '/' };
  const httpPort = assertPort('http_port', ctx.httpPort);
  const httpsPort = assertPort('https_port', ctx.httpsPort);
  const out = [
    DEFAULT_MARKER,
    '# Rendered by hop3-rootd. Requests for a Host no site serves are closed without a response.',
    '',
    ...server([...listen(full, httpPort, { ssl: false, def: true }), '    server_name _;'], ['    return 444;']),
    '',
    ...server([...listen(full, httpsPort, { ssl: true, def: true }), '    server_name _;'], ['    ssl_reject_handshake on;']),
  ];
  return out.join('\n') + '\n';
}
