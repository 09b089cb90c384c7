/**
 * The one impure piece of env resolution: learning the host external address
 * for `external_ip` references. Kept out of the pure resolver.
 *
 * Order (ADR 046 §1b, sovereignty first): the operator's HOP3_EXTERNAL_IP
 * (HOP3_EXTERNAL_IP6 for v6), else the source address the kernel would use
 * for the default route (`ip route get`, a routing-table lookup that sends no
 * packet). No echo service is ever contacted. The result is passed as
 * appFacts.externalIp; the resolver rejects non-public addresses.
 */
import { execFile } from 'node:child_process';
import type { ExternalIpFact } from './resolve-env-refs.ts';
import type { IpFamily } from './resolve-env-ip.ts';

/** Public resolver addresses used only as routing-table lookup keys. */
const PROBE: Record<IpFamily, string> = { v4: '1.1.1.1', v6: '2606:4700:4700::1111' };
const IP_BINARIES = ['/usr/sbin/ip', '/sbin/ip', '/usr/bin/ip', '/bin/ip'];

/** Extracts the `src` address from `ip route get` output; undefined when absent. */
export function parseRouteGetSrc(stdout: string): string | undefined {
  const m = /(?:^|\s)src\s+(\S+)/.exec(stdout);
  return m?.[1];
}

export type RunIp = (argv: readonly string[]) => Promise<string>;

function runIp(argv: readonly string[]): Promise<string> {
  const tryAt = (i: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const bin = IP_BINARIES[i];
      if (bin === undefined) {
        reject(new Error('ip(8) not found'));
        return;
      }
      execFile(bin, [...argv], { timeout: 2000, maxBuffer: 64 * 1024, env: { LC_ALL: 'C' } }, (err, stdout) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') resolve(tryAt(i + 1));
        else if (err) reject(err);
        else resolve(stdout);
      });
    });
  return tryAt(0);
}

/**
 * The external address of one family, or undefined when neither the operator
 * variable nor a default route gives one. `run` is injectable for tests.
 */
export async function detectExternalIp(
  env: Readonly<Record<string, string | undefined>> = process.env,
  family: IpFamily = 'v4',
  run: RunIp = runIp,
): Promise<ExternalIpFact | undefined> {
  const operator = env[family === 'v4' ? 'HOP3_EXTERNAL_IP' : 'HOP3_EXTERNAL_IP6']?.trim();
  if (operator) return { address: operator, origin: 'operator' };
  const argv = family === 'v4' ? ['route', 'get', PROBE.v4] : ['-6', 'route', 'get', PROBE.v6];
  try {
    const src = parseRouteGetSrc(await run(argv));
    return src === undefined ? undefined : { address: src, origin: 'detected' };
  } catch {
    return undefined; // no route of this family (or no ip(8)): the resolver reports E_ENV_EXTERNAL_IP_UNKNOWN
  }
}

/** Both families, ready to pass as appFacts.externalIp. */
export async function detectExternalIps(
  env: Readonly<Record<string, string | undefined>> = process.env,
  run: RunIp = runIp,
): Promise<{ v4?: ExternalIpFact; v6?: ExternalIpFact }> {
  const [v4, v6] = await Promise.all([detectExternalIp(env, 'v4', run), detectExternalIp(env, 'v6', run)]);
  return { ...(v4 ? { v4 } : {}), ...(v6 ? { v6 } : {}) };
}
