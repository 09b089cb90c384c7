#!/usr/bin/env -S node --import tsx
/**
 * The `hop3-server` command: serve, and admin token commands. The only place
 * in the server that calls process.exit; failures print their code, message
 * and hint on stderr and leave with a documented status (see HELP).
 */
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Hop3Error, isHop3Error } from '../shared-protocol/errors.ts';
import { createToken, listTokens, revokeToken, type AdminIo } from './admin.ts';
import { resolveConfig, type ServerConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startServer } from './server.ts';
import { createDeployExtension } from './deploy/extension.ts';
import { SERVER_VERSION } from './version.ts';

export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, CONFIG: 3, DATA: 4, LISTEN: 5, INTERNAL: 70 } as const;
const DEFAULT_CONFIG_FILE = '/etc/hop3/server.json';

const HELP = `hop3-server ${SERVER_VERSION} — the Hop3 API server

Usage:
  hop3-server serve [--config <file>]
      Open the data dir (database, server key), listen (default 127.0.0.1:8000), serve /v1.
      SIGTERM/SIGINT: stop accepting, finish requests, close the database, exit 0.
  hop3-server admin create-token <name> [--config <file>]
      Create an API token; prints it once on stdout (nothing else goes to stdout).
  hop3-server admin list-tokens [--json] [--config <file>]
      Active tokens: id, name, display prefix, created, last used (never the token).
  hop3-server admin revoke-token <name> [--config <file>]
      Revoke the active token with this name; requests using it fail at once.
  hop3-server --help | --version

Config: --config, else $HOP3_CONFIG, else ${DEFAULT_CONFIG_FILE} when it exists, else defaults;
HOP3_* variables override the file (docs/server.md lists them).

Exit status:
  0  success
  1  the command failed (E_TOKEN_NOT_FOUND, E_TOKEN_EXISTS)
  2  usage error
  3  config error (E_CONFIG_INVALID)
  4  data dir, key or database error (E_DATA_DIR, E_KEY_INVALID, E_DB)
  5  cannot listen (E_LISTEN)
  70 internal error
`;

const io: AdminIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

function exitCodeFor(code: string): number {
  if (code === 'E_USAGE') return EXIT.USAGE;
  if (code === 'E_CONFIG_INVALID') return EXIT.CONFIG;
  if (code === 'E_DATA_DIR' || code === 'E_KEY_INVALID' || code === 'E_DB') return EXIT.DATA;
  if (code === 'E_LISTEN') return EXIT.LISTEN;
  if (code === 'E_TOKEN_NOT_FOUND' || code === 'E_TOKEN_EXISTS') return EXIT.FAILED;
  return EXIT.INTERNAL;
}

function loadConfig(flag: string | undefined): ServerConfig {
  const file = flag ?? process.env['HOP3_CONFIG'] ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  const { config, warnings } = resolveConfig({ file, env: process.env });
  for (const w of warnings) process.stderr.write(`hop3-server: warning: ${w}\n`);
  return config;
}

async function serve(configFlag: string | undefined): Promise<void> {
  const config = loadConfig(configFlag);
  const log = createLogger({ level: config.log_level });
  const running = await startServer(config, { log, extend: (ctx) => createDeployExtension(ctx) });
  const stop = (signal: string): void => {
    log.info('stopping', { signal });
    running.close().then(
      () => process.exit(EXIT.OK),
      (e: unknown) => {
        log.error('error while stopping', { err: e });
        process.exit(EXIT.INTERNAL);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } },
  });
  if (values.help === true) return void io.out(HELP);
  if (values.version === true) return void io.out(`${SERVER_VERSION}\n`);
  const [cmd, sub, arg, ...extra] = positionals;
  const usage = (m: string) => new Hop3Error('E_USAGE', m, { hint: 'Run `hop3-server --help`.' });
  if (cmd === 'serve' && sub === undefined) return serve(values.config);
  if (cmd !== 'admin') throw usage(cmd === undefined ? 'missing command' : `unknown command ${JSON.stringify(cmd)}`);
  if (extra.length > 0) throw usage(`unexpected argument ${JSON.stringify(extra[0])}`);
  if (sub === 'list-tokens' && arg === undefined) return listTokens(loadConfig(values.config), values.json === true, io);
  if (arg === undefined && (sub === 'create-token' || sub === 'revoke-token')) throw usage(`admin ${sub} needs a token name`);
  if (sub === 'create-token') return createToken(loadConfig(values.config), arg as string, io);
  if (sub === 'revoke-token') return revokeToken(loadConfig(values.config), arg as string, io);
  throw usage(`unknown admin command ${JSON.stringify(sub ?? '')}`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (isHop3Error(e)) {
    process.stderr.write(`hop3-server: ${e.code}: ${e.message}\n${e.hint === undefined ? '' : `hint: ${e.hint}\n`}`);
    process.exit(exitCodeFor(e.code));
  }
  if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') === true) {
    process.stderr.write(`hop3-server: E_USAGE: ${e.message}\nhint: Run \`hop3-server --help\`.\n`);
    process.exit(EXIT.USAGE);
  }
  process.stderr.write(`hop3-server: E_INTERNAL: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(EXIT.INTERNAL);
});
