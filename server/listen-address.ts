/** Where the server listens: `host:port`, `[v6]:port`, or an absolute Unix socket path. */
import { isIP } from 'node:net';

export type ListenAddress = { readonly kind: 'tcp'; readonly host: string; readonly port: number } | { readonly kind: 'unix'; readonly path: string };

export function parseListen(text: string): ListenAddress {
  if (text.startsWith('/')) {
    if (text.includes('\0')) throw new Error('socket path contains NUL');
    if (Buffer.byteLength(text) > 107) throw new Error('Unix socket path is longer than 107 bytes');
    return { kind: 'unix', path: text };
  }
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  if (m === null) throw new Error(`expected host:port, [ipv6]:port or an absolute socket path, got ${JSON.stringify(text)}`);
  const host = m[1] ?? m[2] ?? '';
  const port = Number(m[3]);
  if (port > 65535) throw new Error(`port ${port} is out of range`);
  if (m[1] !== undefined && isIP(host) !== 6) throw new Error(`${host} is not an IPv6 address`);
  if (m[2] !== undefined && host !== 'localhost' && isIP(host) !== 4) throw new Error(`${host} is not an IPv4 address or localhost`);
  return { kind: 'tcp', host, port };
}

export function formatListen(a: ListenAddress): string {
  return a.kind === 'unix' ? a.path : a.host.includes(':') ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`;
}
