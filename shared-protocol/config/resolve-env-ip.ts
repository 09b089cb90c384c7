/**
 * Pure IP address parsing and classification for `external_ip` references.
 * An address is "public" only if it is global unicast: private, loopback,
 * link-local, unspecified, CGNAT, documentation, benchmark, multicast and
 * reserved ranges are not, because returning one as PUBLIC_IP is fake success.
 */

export type IpFamily = 'v4' | 'v6';

export interface IpClass {
  readonly family: IpFamily;
  /** undefined when public; otherwise why it is not. */
  readonly nonPublicReason: string | undefined;
}

export function parseIPv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

/** Returns the 8 hextets of an IPv6 address (zone ids refused), or undefined. */
export function parseIPv6(s: string): number[] | undefined {
  if (s.includes('%') || !/^[0-9A-Fa-f:.]+$/.test(s)) return undefined;
  let tail: number[] = [];
  let text = s;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.')) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (!v4) return undefined;
    tail = [((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0)];
    const prefix = s.slice(0, lastColon + 1);
    text = prefix.endsWith('::') ? prefix : prefix.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (!/^[0-9A-Fa-f]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (!head || !rest) return undefined;
  const total = head.length + rest.length + tail.length;
  if (halves.length === 2) {
    if (total > 7) return undefined;
    return [...head, ...new Array<number>(8 - total).fill(0), ...rest, ...tail];
  }
  return total === 8 ? [...head, ...tail] : undefined;
}

function v4Reason(o: readonly number[]): string | undefined {
  const [a = 0, b = 0, c = 0] = o;
  if (a === 0) return 'unspecified ("this network", 0.0.0.0/8)';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private (RFC 1918)';
  if (a === 127) return 'loopback';
  if (a === 169 && b === 254) return 'link-local';
  if (a === 100 && b >= 64 && b <= 127) return 'shared address space (CGNAT, RFC 6598)';
  if (a === 192 && b === 0 && c === 0) return 'IETF protocol assignment';
  if ((a === 192 && b === 0 && c === 2) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113)) {
    return 'documentation (TEST-NET)';
  }
  if (a === 198 && (b === 18 || b === 19)) return 'benchmarking (RFC 2544)';
  if (a >= 224 && a <= 239) return 'multicast';
  if (a >= 240) return 'reserved';
  return undefined;
}

function v6Reason(h: readonly number[]): string | undefined {
  const [h0 = 0, h1 = 0] = h;
  if (h.every((x) => x === 0)) return 'unspecified (::)';
  if (h.slice(0, 7).every((x) => x === 0) && h[7] === 1) return 'loopback (::1)';
  if (h.slice(0, 5).every((x) => x === 0) && h[5] === 0xffff) return 'IPv4-mapped (use the IPv4 family)';
  if ((h0 & 0xffc0) === 0xfe80) return 'link-local';
  if ((h0 & 0xffc0) === 0xfec0) return 'site-local (deprecated)';
  if ((h0 & 0xfe00) === 0xfc00) return 'unique local (private, fc00::/7)';
  if ((h0 & 0xff00) === 0xff00) return 'multicast';
  if (h0 === 0x2001 && h1 === 0x0db8) return 'documentation (2001:db8::/32)';
  if ((h0 & 0xe000) !== 0x2000) return 'not global unicast (outside 2000::/3)';
  return undefined;
}

/** Classifies an address; undefined when it is not an IPv4 or IPv6 address. */
export function classifyIp(address: string): IpClass | undefined {
  const v4 = parseIPv4(address);
  if (v4) return { family: 'v4', nonPublicReason: v4Reason(v4) };
  const v6 = parseIPv6(address);
  if (v6) return { family: 'v6', nonPublicReason: v6Reason(v6) };
  return undefined;
}
