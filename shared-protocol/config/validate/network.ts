/** [domains], [port] endpoints and [[ports]] fixed host ports. */
import type { Reporter } from '../diagnostics.ts';
import type { DomainsConfig, Endpoint, FixedPort } from '../model.ts';
import type { DomainsRaw, FixedPortRaw, PortRaw } from '../schema/sections.ts';

const LABEL_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i;

/** RFC-1123 hostname: dot-separated labels of 1-63 chars, at most 253 in all. */
export function isHostname(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  return trimmed.split('.').every((l) => LABEL_RE.test(l));
}

export function validateDomains(raw: DomainsRaw, rep: Reporter): DomainsConfig | null {
  let ok = true;
  const seen = new Set<string>();
  raw.list.forEach((host, i) => {
    const p = ['domains', 'list', i];
    if (host === '_') {
      if (raw.list.length > 1) {
        rep.error('E_CONFIG_DOMAIN_CATCHALL', p, '"_" (catch-all) must be the only entry of the list');
        ok = false;
      }
      return;
    }
    if (!isHostname(host)) {
      rep.error('E_CONFIG_DOMAIN_INVALID', p, `${JSON.stringify(host)} is not a valid RFC-1123 hostname`);
      ok = false;
      return;
    }
    const norm = host.toLowerCase().replace(/\.$/, '');
    if (seen.has(norm)) {
      rep.error('E_CONFIG_DOMAIN_DUPLICATE', p, `${host} is listed twice`);
      ok = false;
    }
    seen.add(norm);
  });
  return ok ? { list: raw.list, policy: raw._policy ?? 'keep-existing' } : null;
}

export const RESERVED_HOST_PORTS: ReadonlySet<number> = new Set([22, 80, 443]);

export function validateFixedPorts(raw: readonly FixedPortRaw[], rep: Reporter): FixedPort[] {
  const out: FixedPort[] = [];
  const seen = new Map<string, number>();
  raw.forEach((p, i) => {
    const path = ['ports', i];
    const protocol = p.protocol ?? 'tcp';
    if (RESERVED_HOST_PORTS.has(p.number)) {
      rep.error('E_CONFIG_PORT_RESERVED', [...path, 'number'], `port ${p.number} is reserved by Hop3 (SSH and the reverse proxy)`);
      return;
    }
    const key = `${p.number}/${protocol}`;
    const first = seen.get(key);
    if (first !== undefined) {
      rep.error('E_CONFIG_PORT_DUPLICATE', path, `${key} is already declared by ports[${first}]`);
      return;
    }
    seen.set(key, i);
    out.push({ number: p.number, protocol, name: p.name ?? null });
  });
  return out;
}

const PATH_RE = /^\/[A-Za-z0-9._~\-/]*$/;

export function validateEndpoints(raw: PortRaw, rep: Reporter): Endpoint[] {
  const out: Endpoint[] = [];
  const routes = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    const path = ['port', name];
    if (typeof value === 'number') {
      out.push({ name, container: value, public: null, https: null, proxy: false, subdomain: null, path: null });
      continue;
    }
    const proxy = value.proxy ?? false;
    const sub = value.subdomain ?? null;
    const urlPath = value.path ?? null;
    if (proxy && (sub === null) === (urlPath === null)) {
      rep.error('E_CONFIG_ENDPOINT_ROUTE', path, `proxied endpoint "${name}" needs exactly one of subdomain or path`);
      continue;
    }
    if (!proxy && (sub !== null || urlPath !== null)) {
      rep.error('E_CONFIG_ENDPOINT_ROUTE', [...path, sub !== null ? 'subdomain' : 'path'], `subdomain/path only apply with proxy = true`);
      continue;
    }
    if (sub !== null && !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(sub)) {
      rep.error('E_CONFIG_DOMAIN_INVALID', [...path, 'subdomain'], `${JSON.stringify(sub)} is not a single RFC-1123 label`);
      continue;
    }
    if (urlPath !== null && (!PATH_RE.test(urlPath) || urlPath === '/' || urlPath.includes('..'))) {
      rep.error('E_CONFIG_FORMAT', [...path, 'path'], `${JSON.stringify(urlPath)} must be a URL path such as "/admin" (not "/" and without "..")`);
      continue;
    }
    if (proxy && value.container === undefined) {
      rep.error('E_CONFIG_REQUIRED', path, `proxied endpoint "${name}" needs container = <port>`);
      continue;
    }
    const route = sub !== null ? `subdomain ${sub.toLowerCase()}` : urlPath !== null ? `path ${urlPath.replace(/\/$/, '')}` : null;
    if (route !== null) {
      const other = routes.get(route);
      if (other !== undefined) {
        rep.error('E_CONFIG_ENDPOINT_DUPLICATE', path, `${route} is already used by endpoint "${other}"`);
        continue;
      }
      routes.set(route, name);
    }
    out.push({
      name,
      container: value.container ?? '$PORT',
      public: value.public ?? null,
      https: value.https ?? null,
      proxy,
      subdomain: sub,
      path: urlPath,
    });
  }
  return out;
}
