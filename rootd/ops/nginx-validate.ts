/**
 * Site validation beyond the op schema: re-check the schema (handlers never
 * trust that dispatch ran), then the cross-field rules a schema cannot say
 * (something to serve: a static root, upstream ports or both; unique endpoint
 * names/paths/subdomains, subdomain names that collide with hostnames or
 * exceed 253 chars), and hostname claims across apps.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { SiteParams, type NginxState } from '../../shared-protocol/ops/nginx.ts';

const siteCheck = TypeCompiler.Compile(SiteParams);

const ENDPOINT_HINT = 'Give each endpoint a unique name and a unique subdomain or path, distinct from the hostnames.';

function invalid(message: string, hint = ENDPOINT_HINT): Hop3Error {
  return new Hop3Error('E_NGINX_INVALID_SITE', message, { hint });
}

/** Every server name a site answers to: its hostnames, then <sub>.<hostname> per subdomain endpoint. */
export function serverNames(site: SiteParams): string[] {
  const names = [...site.hostnames];
  for (const ep of site.endpoints ?? []) {
    if ('subdomain' in ep) for (const h of site.hostnames) names.push(`${ep.subdomain}.${h}`);
  }
  return names;
}

/** Throws E_INVALID_PARAMS (shape) or E_NGINX_INVALID_SITE (coherence). */
export function validateSite(site: unknown): asserts site is SiteParams {
  if (!siteCheck.Check(site)) {
    const errs = [...siteCheck.Errors(site)].slice(0, 3).map((e) => `${e.path || '/'}: ${e.message}`);
    throw new Hop3Error('E_INVALID_PARAMS', `nginx site: ${errs.join('; ')}`, {
      hint: 'See the nginx.apply_site schema in daemon.describe.',
    });
  }
  if (site.upstream_ports === undefined && site.static_root === undefined) {
    throw invalid(
      `site ${site.app} has neither static_root nor upstream_ports: nothing would serve it`,
      'Send upstream_ports (the web copies), static_root (files served by nginx) or both.',
    );
  }
  const endpointNames = new Set<string>();
  const paths = new Set<string>();
  const subs = new Set<string>();
  for (const ep of site.endpoints ?? []) {
    if (endpointNames.has(ep.name)) throw invalid(`endpoint name ${ep.name} is used twice`);
    endpointNames.add(ep.name);
    if ('path' in ep) {
      // "/a" and "/a/" both render location /a/, so they are the same endpoint to nginx.
      const key = ep.path.endsWith('/') ? ep.path : `${ep.path}/`;
      if (paths.has(key)) throw invalid(`endpoint path ${ep.path} is used twice`);
      paths.add(key);
    } else {
      if (subs.has(ep.subdomain)) throw invalid(`endpoint subdomain ${ep.subdomain} is used twice`);
      subs.add(ep.subdomain);
    }
  }
  const hostnames = new Set(site.hostnames);
  for (const sub of subs) {
    for (const h of site.hostnames) {
      const fqdn = `${sub}.${h}`;
      if (fqdn.length > 253) throw invalid(`subdomain name ${fqdn.slice(0, 60)}... is longer than 253 characters`);
      if (hostnames.has(fqdn)) throw invalid(`subdomain name ${fqdn} is also one of the site hostnames`);
    }
  }
}

/** E_HOSTNAME_CLAIMED if another app in state already serves one of the site's server names. */
export function assertNamesFree(state: NginxState, app: string, names: readonly string[]): void {
  for (const [other, site] of Object.entries(state.sites)) {
    if (other === app) continue;
    const taken = new Set(serverNames(site));
    const clash = names.find((n) => taken.has(n));
    if (clash !== undefined) {
      throw new Hop3Error('E_HOSTNAME_CLAIMED', `hostname ${clash} is already served by app ${other}`, {
        hint: `Remove ${clash} from app ${other} first, or choose another hostname.`,
        details: { hostname: clash, app: other },
      });
    }
  }
}
