#!/usr/bin/env -S node --import tsx
/**
 * The `hop3-rootd` command: serve, init-state, log verify, log show.
 * The only place in rootd that calls process.exit; every failure leaves with
 * its error code on stderr and a documented exit status (see HELP).
 */
import { readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isHop3Error } from '../shared-protocol/errors.ts';
import { loadConfig, parseConfig, type RootdConfig } from './config.ts';
import { listen } from './listener.ts';
import { runLogShow, runLogVerify, type CliOutput } from './log-cli.ts';
import { loadPeerCred } from './peercred.ts';
import { createRootd } from './rootd.ts';
import { DAEMON_VERSION } from './ops/daemon.ts';
import { initStateFile, WRITE_STEPS, type WriteStep } from './state.ts';
import { crashHookFromEnv } from './crash-hook.ts';

export const EXIT = {
  OK: 0,
  VERIFY_FAILED: 1,
  USAGE: 2,
  CONFIG: 3,
  STATE: 4,
  SOCKET: 5,
  IO: 6,
  INTERNAL: 70,
} as const;

const HELP = `hop3-rootd ${DAEMON_VERSION} — the Hop3 root daemon

Usage:
  hop3-rootd serve --config <file>
      Check the config (root-owned, not group/other-writable, when run as root), load the
      state file, reconcile, then listen on socket.path (or on the systemd-activated fd 3).
      SIGTERM/SIGINT: stop accepting, finish in-flight requests, close the op log, exit 0.
  hop3-rootd init-state --config <file> [--force]
      Write an empty state file at state_file (refuses to replace one without --force).
  hop3-rootd log verify (--config <file> | --file <log>)
      Check the op log's hash chain; prints each problem with its line number.
  hop3-rootd log show (--config <file> | --file <log>) [--since ISO] [--op name|family] [--app name] [--json]
      Print op log entries as a table (or the raw JSON lines with --json).
  hop3-rootd --help | --version

Exit status:
  0  success
  1  log verify found problems
  2  usage error (unknown command or option, missing --config)
  3  config error (E_CONFIG_INVALID: unreadable, invalid, or not root-owned)
  4  state error (E_STATE: missing, corrupt or unknown-version state file)
  5  socket refused (E_SOCKET_UNSAFE, E_SOCKET_IN_USE, E_GROUP_UNKNOWN, E_PEERCRED_UNAVAILABLE)
  6  a file could not be read or written (E_IO)
  70 internal error

Test-only hook (never set it in production):
  HOP3_ROOTD_TEST_CRASH_AT=<step>[:<n>]  SIGKILL rootd at <step> of its n-th state write
      (default n=1); steps: ${WRITE_STEPS.join(', ')}. Used by the crash-consistency tests.
`;

const io: CliOutput = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

class UsageError extends Error {}

function exitCodeFor(code: string): number {
  if (code === 'E_CONFIG_INVALID') return EXIT.CONFIG;
  if (code === 'E_STATE') return EXIT.STATE;
  if (['E_SOCKET_UNSAFE', 'E_SOCKET_IN_USE', 'E_GROUP_UNKNOWN', 'E_PEERCRED_UNAVAILABLE'].includes(code)) return EXIT.SOCKET;
  return EXIT.INTERNAL;
}

/** Print an error with its code (and hint) and return the exit status. */
function report(e: unknown): number {
  if (e instanceof UsageError) {
    io.err(`hop3-rootd: E_USAGE: ${e.message}`);
    io.err('  run `hop3-rootd --help` for usage');
    return EXIT.USAGE;
  }
  if (isHop3Error(e)) {
    io.err(`hop3-rootd: ${e.code}: ${e.message}`);
    if (e.hint) io.err(`  hint: ${e.hint}`);
    return exitCodeFor(e.code);
  }
  const errno = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof errno === 'string' && /^E[A-Z]+$/.test(errno)) {
    io.err(`hop3-rootd: E_IO: ${(e as Error).message}`);
    return EXIT.IO;
  }
  io.err(`hop3-rootd: E_INTERNAL: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  return EXIT.INTERNAL;
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** serve loads (and canonicalizes) everything; init-state only needs the state path. */
function readConfig(path: string, forServe: boolean): RootdConfig {
  if (forServe) return loadConfig(path, isRoot() ? { requireOwner: 0 } : {});
  if (isRoot()) {
    const st = statSync(path);
    if (st.uid !== 0 || (st.mode & 0o022) !== 0) return loadConfig(path, { requireOwner: 0 }); // throws the same message
  }
  return parseConfig(readFileSync(path, 'utf8'), path);
}

const OPTIONS = {
  config: { type: 'string' },
  file: { type: 'string' },
  force: { type: 'boolean' },
  since: { type: 'string' },
  op: { type: 'string' },
  app: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;
type OptName = keyof typeof OPTIONS;

function allowOnly(values: Partial<Record<OptName, unknown>>, allowed: readonly OptName[], cmd: string): void {
  for (const k of Object.keys(values) as OptName[]) {
    if (values[k] !== undefined && !allowed.includes(k)) throw new UsageError(`option --${k} is not valid for \`${cmd}\``);
  }
}

async function serve(configPath: string): Promise<number> {
  const config = readConfig(configPath, true);
  loadPeerCred(); // fail before touching anything if peers cannot be authenticated
  const onWriteStep: ((s: WriteStep) => void) | undefined = crashHookFromEnv(process.env['HOP3_ROOTD_TEST_CRASH_AT']);
  const rootd = createRootd(config, {
    ...(onWriteStep ? { state: { onWriteStep } } : {}),
    logInternal: (ref, err) => io.err(`hop3-rootd: internal error ${ref}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  });
  let listener;
  try {
    const rec = await rootd.reconcile();
    for (const c of rec.changes) io.err(`hop3-rootd: reconcile: ${c}`);
    for (const c of rec.errors) io.err(`hop3-rootd: reconcile error: ${c}`);
    listener = await listen(rootd);
  } catch (e) {
    await rootd.close();
    throw e;
  }
  await rootd.oplog.append({
    op: 'daemon.start',
    outcome: 'event',
    details: { pid: process.pid, version: DAEMON_VERSION, socket: listener.path, activated: listener.activated },
  });
  io.out(`hop3-rootd ${DAEMON_VERSION} ready pid=${process.pid} socket=${listener.path}${listener.activated ? ' (socket-activated)' : ''}`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      void (async () => {
        await listener.close();
        await rootd.oplog.append({ op: 'daemon.stop', outcome: 'event', details: { signal } }).catch(() => undefined);
        await rootd.close();
        io.err(`hop3-rootd: stopped (${signal})`);
        resolve(EXIT.OK);
      })();
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

function logFile(values: { config?: string | undefined; file?: string | undefined }): string {
  if (values.file !== undefined && values.config !== undefined) throw new UsageError('give --config or --file, not both');
  if (values.file !== undefined) return values.file;
  if (values.config !== undefined) return readConfig(values.config, false).op_log;
  throw new UsageError('log commands need --config <file> or --file <log>');
}

export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    return report(new UsageError((e as Error).message));
  }
  const { values, positionals } = parsed;
  const [cmd, sub, ...extra] = positionals;
  try {
    if (values.version) {
      io.out(DAEMON_VERSION);
      return EXIT.OK;
    }
    if (values.help || cmd === undefined || cmd === 'help') {
      io.out(HELP);
      return cmd === undefined && !values.help ? EXIT.USAGE : EXIT.OK;
    }
    if (cmd === 'serve' || cmd === 'init-state') {
      if (sub !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(sub)}`);
      if (values.config === undefined) throw new UsageError(`\`${cmd}\` needs --config <file>`);
      if (cmd === 'serve') {
        allowOnly(values, ['config'], cmd);
        return await serve(values.config);
      }
      allowOnly(values, ['config', 'force'], cmd);
      const config = readConfig(values.config, false);
      initStateFile(config.state_file, values.force === true);
      io.out(`hop3-rootd: wrote an empty state file ${config.state_file}`);
      return EXIT.OK;
    }
    if (cmd === 'log') {
      if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
      if (sub === 'verify') {
        allowOnly(values, ['config', 'file'], 'log verify');
        return runLogVerify(logFile(values), io);
      }
      if (sub === 'show') {
        allowOnly(values, ['config', 'file', 'since', 'op', 'app', 'json'], 'log show');
        const file = logFile(values);
        return runLogShow(
          file,
          {
            ...(values.since !== undefined ? { since: values.since } : {}),
            ...(values.op !== undefined ? { op: values.op } : {}),
            ...(values.app !== undefined ? { app: values.app } : {}),
            json: values.json === true,
          },
          io,
        );
      }
      throw new UsageError(`unknown log command ${JSON.stringify(sub ?? '')} (verify or show)`);
    }
    throw new UsageError(`unknown command ${JSON.stringify(cmd)}`);
  } catch (e) {
    return report(e);
  }
}

const code = await main(process.argv.slice(2));
process.exitCode = code;
// serve resolves only after a clean shutdown; other commands are done. Leave no handle behind.
if (process.argv[2] === 'serve') process.exit(code);
