/** Which host names route to an app: its domains, or <app>.<server domain> when it has none. */
import { describeHostnameProblem, hostnameProblem } from '../../shared-protocol/api/hostname.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';

export function defaultHostname(app: string, serverDomain: string): string {
  return `${app}.${serverDomain}`;
}

export function effectiveHostnames(domains: readonly string[], fallback: string): string[] {
  return domains.length > 0 ? [...domains].sort() : [fallback];
}

/** Throws E_INVALID_HOSTNAME with the precise reason. */
export function assertHostname(name: string): void {
  const problem = hostnameProblem(name);
  if (problem !== null) throw new Hop3Error('E_INVALID_HOSTNAME', describeHostnameProblem(name, problem));
}

/** The app whose default host name this is (`<app>.<server domain>`), if the label could be an app. */
export function appOfDefaultHostname(hostname: string, serverDomain: string): string | undefined {
  const suffix = `.${serverDomain}`;
  if (!hostname.endsWith(suffix)) return undefined;
  const label = hostname.slice(0, -suffix.length);
  return label.includes('.') || label === '' ? undefined : label;
}
