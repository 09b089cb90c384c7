/**
 * The client address the failed-auth limiter keys on: the TCP peer, or
 * "unix" for a Unix-socket peer. Only when the peer is a trusted proxy is the
 * X-Forwarded-For header read, right to left, skipping trusted proxies.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trusted: readonly string[]): string {
  const direct = normalize(peer) ?? 'unix';
  if (forwardedFor === undefined || !trusted.includes(direct)) return direct;
  const hops = forwardedFor.split(',').map((h) => normalize(h.trim())).filter((h): h is string => h !== undefined && h !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i] as string;
    if (!trusted.includes(hop)) return hop;
  }
  return direct;
}

function normalize(a: string | undefined): string | undefined {
  if (a === undefined) return undefined;
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
