/**
 * nginx.* ops — schemas, results, error codes and the state slice rootd keeps.
 *
 * The caller never sends nginx text: a site is structured fields (hostnames,
 * ports, a relative static root, a certificate id, secondary endpoints) and
 * rootd renders the vhost from its own template. Every field that ends up in
 * nginx text is constrained here by an explicit pattern that admits no
 * whitespace, quote, brace, semicolon, '$' or '#'.
 */
import { Type, type Static } from '@sinclair/typebox';
import { defineErrors } from '../errors.ts';
import { defineOp } from './define.ts';
import { APP_NAME_PATTERN, AppName, CertId, Hostname, Port, Removed } from './fields.ts';

export const NGINX_ERRORS = defineErrors({
  E_NGINX_REJECTED: {
    meaning: 'nginx refused the candidate configuration (nginx -t) or the reload failed; the previous site file was restored.',
    hint: 'The message carries nginx\'s first error line; fix the cause (e.g. the certificate files) and apply again.',
  },
  E_HOSTNAME_CLAIMED: {
    meaning: 'A hostname of the site (or of one of its subdomain endpoints) is already served by another app.',
    hint: 'Remove the hostname from the other app first, or choose another hostname.',
  },
  E_NGINX_SITE_CONFLICT: {
    meaning: 'The site file rootd would write (<site_dir>/<app>.conf) exists and is not rootd\'s (no marker header): it belongs to the operator.',
    hint: 'Rename or move the operator file out of the site directory, or choose another app name; rootd never overwrites unmarked files.',
  },
  E_NGINX_INVALID_SITE: {
    meaning: 'The site passes the schema but is not coherent (neither static_root nor upstream_ports, duplicate endpoint names, paths or subdomains, a subdomain name equal to a hostname, a name longer than 253 chars).',
    hint: 'Give the site a static_root, upstream_ports or both; give each endpoint a unique name and a unique subdomain or path.',
  },
  E_TLS_CERT_MISSING: {
    meaning: 'The certificate id names no <id>.crt / <id>.key pair (regular files) in rootd\'s tls_dir; nothing was changed.',
    hint: 'Provision the certificate pair under the operator tls_dir first, then apply the site.',
  },
});

/** One DNS label, lowercase (a subdomain endpoint is served at <label>.<hostname>). */
export const SUBDOMAIN_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$';
export const Subdomain = Type.String({ minLength: 1, maxLength: 63, pattern: SUBDOMAIN_PATTERN });

/** URL path prefix: "/seg[/seg...][/]"; segments never start with '.', no '/' alone. */
export const URL_PATH_PATTERN = '^(?:/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+/?$';
export const UrlPath = Type.String({ minLength: 2, maxLength: 200, pattern: URL_PATH_PATTERN });

/** Static root, relative to <APP_ROOT>/<app>/src/; segments never start with '.' (so no ".."). */
export const STATIC_ROOT_PATTERN = '^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$';
export const StaticRoot = Type.String({
  minLength: 1,
  maxLength: 256,
  pattern: STATIC_ROOT_PATTERN,
  description: 'Relative to `<APP_ROOT>/<app>/src/`. Without upstream_ports a missing file is a 404; with them it falls back to the app.',
});

export const ENDPOINT_NAME_PATTERN = '^[a-z][a-z0-9_-]{0,31}$';
export const EndpointName = Type.String({ minLength: 1, maxLength: 32, pattern: ENDPOINT_NAME_PATTERN });

/** A secondary endpoint served at <subdomain>.<each hostname> (ADR 046 §4b). */
export const SubdomainEndpoint = Type.Object(
  { name: EndpointName, port: Port, subdomain: Subdomain },
  { additionalProperties: false },
);
/** A secondary endpoint served at <hostname><path>, rendered ahead of location / (ADR 046 §4b). */
export const PathEndpoint = Type.Object({ name: EndpointName, port: Port, path: UrlPath }, { additionalProperties: false });
/** Exactly one of subdomain or path: an object with both or neither matches neither branch. */
export const Endpoint = Type.Union([SubdomainEndpoint, PathEndpoint]);
export type Endpoint = Static<typeof Endpoint>;

export const SiteTls = Type.Object({ cert_id: CertId }, { additionalProperties: false });

export const MAX_HOSTNAMES = 50;
export const MAX_ENDPOINTS = 16;
/** At most this many copies of the app's web process behind one site (`hop3 ps scale web=N`). */
export const MAX_UPSTREAM_PORTS = 32;

/**
 * The loopback ports of the app's web copies, one per copy. rootd renders them
 * as one nginx upstream: requests are spread round-robin and a copy that
 * refuses the connection (stopped, restarting) is skipped for that request.
 * Absent for a static-only site (no processes): a missing file is then a 404.
 */
export const UpstreamPorts = Type.Array(Port, {
  minItems: 1,
  maxItems: MAX_UPSTREAM_PORTS,
  uniqueItems: true,
  description: 'Loopback ports of the web copies (one upstream group). A site needs upstream_ports, static_root or both.',
});

export const SiteParams = Type.Object(
  {
    app: AppName,
    hostnames: Type.Array(Hostname, { minItems: 1, maxItems: MAX_HOSTNAMES, uniqueItems: true }),
    /** A site has upstream_ports, static_root or both (checked by rootd: E_NGINX_INVALID_SITE). */
    upstream_ports: Type.Optional(UpstreamPorts),
    static_root: Type.Optional(StaticRoot),
    tls: Type.Optional(SiteTls),
    endpoints: Type.Optional(Type.Array(Endpoint, { maxItems: MAX_ENDPOINTS })),
  },
  { additionalProperties: false },
);
export type SiteParams = Static<typeof SiteParams>;

export const SiteInfo = Type.Object(
  {
    ...SiteParams.properties,
    /** The file on disk is byte-for-byte what rootd renders from state. */
    in_sync: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const NGINX_OPS = [
  defineOp({
    name: 'nginx.apply_site',
    summary:
      'Render the app vhost from rootd\'s template, test it with nginx -t in place, swap it in atomically and reload; restore the previous file on any failure.',
    params: SiteParams,
    result: Type.Object(
      {
        app: AppName,
        /** Every server name the site answers to (hostnames and subdomain endpoint names). */
        server_names: Type.Array(Hostname),
        /** False when the rendered file was already byte-for-byte in place (nginx was still tested and reloaded). */
        changed: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
    errors: [
      'E_INVALID_APP_NAME',
      'E_HOSTNAME_CLAIMED',
      'E_NGINX_INVALID_SITE',
      'E_NGINX_SITE_CONFLICT',
      'E_TLS_CERT_MISSING',
      'E_PATH_OUTSIDE_ROOT',
      'E_PATH_SYMLINK',
      'E_NGINX_REJECTED',
      'E_EXEC_FAILED',
      'E_EXEC_TIMEOUT',
      'E_STATE',
    ],
    mutates: true,
  }),
  defineOp({
    name: 'nginx.remove_site',
    summary: 'Remove the app vhost and reload (idempotent: removed=false when there was nothing to remove).',
    params: Type.Object({ app: AppName }, { additionalProperties: false }),
    result: Removed,
    errors: ['E_INVALID_APP_NAME', 'E_NGINX_REJECTED', 'E_EXEC_FAILED', 'E_EXEC_TIMEOUT', 'E_STATE'],
    mutates: true,
  }),
  defineOp({
    name: 'nginx.list_sites',
    summary: 'The sites rootd manages, as applied, each with whether its file on disk matches the state.',
    params: Type.Object({}, { additionalProperties: false }),
    result: Type.Object({ sites: Type.Array(SiteInfo) }, { additionalProperties: false }),
    errors: [],
    mutates: false,
  }),
] as const;

/** The part of rootd's state file that this family owns: the applied site params per app. */
export const NginxState = Type.Object(
  { sites: Type.Record(Type.String({ pattern: APP_NAME_PATTERN }), SiteParams, { additionalProperties: false }) },
  { additionalProperties: false },
);
export type NginxState = Static<typeof NginxState>;
export const emptyNginxState = (): NginxState => ({ sites: {} });
