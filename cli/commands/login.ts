/** hop3 login / logout / whoami: the server URL and token this CLI uses. */
import { defineCommand } from 'citty';
import { readFileSync } from 'node:fs';
import { ApiClient } from '../client.ts';
import { connect, jsonArg, VERSION } from '../common.ts';
import { credentialsPath, normalizeServerUrl, removeCredentials, resolveConnection, writeCredentials } from '../credentials.ts';
import { usageError } from '../errors.ts';
import { emit, processIo as io } from '../output.ts';


function isLoopback(url: URL): boolean {
  return url.hostname === 'localhost' || url.hostname === '[::1]' || /^127\./.test(url.hostname);
}

function readToken(flag: string | undefined): string {
  const raw = flag === '-' ? readFileSync(0, 'utf8') : (flag ?? process.env['HOP3_API_TOKEN']);
  const token = raw?.trim();
  if (token === undefined || token === '') {
    throw usageError('login needs a token', 'Pass --token hop3_..., --token - to read it from stdin, or set HOP3_API_TOKEN.');
  }
  if (/\s/.test(token)) throw usageError('the token must not contain spaces or line breaks');
  return token;
}

export const loginCommand = defineCommand({
  meta: { name: 'login', description: 'Check a server URL and token with GET /v1/whoami, then store them (0600)' },
  args: {
    server: { type: 'string', required: true, description: 'server URL, e.g. https://hop3.example.com', valueHint: 'url' },
    token: { type: 'string', description: 'API token (hop3_...); "-" reads it from stdin; default $HOP3_API_TOKEN', valueHint: 'token' },
    ...jsonArg,
  },
  async run({ args }): Promise<number> {
    const server = normalizeServerUrl(String(args.server));
    const token = readToken(args.token);
    const who = await new ApiClient({ server, token, userAgent: `hop3-cli/${VERSION}` }).call('auth.whoami', {});
    const path = credentialsPath();
    writeCredentials(path, { server, token });
    const url = new URL(server);
    if (url.protocol === 'http:' && !isLoopback(url)) {
      io.err(`hop3: warning: ${server} is plain HTTP: the token crosses the network unencrypted; prefer https://\n`);
    }
    emit(io, args.json, { server, token: who.token, credentials: path }, () =>
      `Logged in to ${server} with token "${who.token.name}" (${who.token.prefix}…).\nCredentials saved to ${path}.`,
    );
    return 0;
  },
});

export const logoutCommand = defineCommand({
  meta: { name: 'logout', description: 'Forget the stored server URL and token' },
  args: { ...jsonArg },
  run({ args }): number {
    const path = credentialsPath();
    const removed = removeCredentials(path);
    emit(io, args.json, { removed, credentials: path }, () => (removed ? `Removed ${path}.` : 'Not logged in (no stored credentials).'));
    return 0;
  },
});

export const whoamiCommand = defineCommand({
  meta: { name: 'whoami', description: 'Show the server and the token name this CLI uses' },
  args: { ...jsonArg },
  async run({ args }): Promise<number> {
    const conn = resolveConnection();
    const who = await connect().call('auth.whoami', {});
    emit(io, args.json, { server: conn.server, token: who.token, source: conn.source }, () =>
      `${conn.server} as token "${who.token.name}" (${who.token.prefix}…)${conn.source.token === 'env' ? ' from HOP3_API_TOKEN' : ''}`,
    );
    return 0;
  },
});
