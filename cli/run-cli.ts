/**
 * Runs the CLI for an argv and returns the exit code: help and version,
 * command resolution with did-you-mean, the command itself, and the one
 * translation of every failure into stderr (+ a JSON error document with
 * --json) and an exit code. main.ts calls it and exits.
 */
import { renderUsage, runCommand, type CommandDef } from 'citty';
import { isHop3Error } from '../shared-protocol/errors.ts';
import { VERSION } from './common.ts';
import { resolveCommand, type Resolved } from './dispatch.ts';
import { CliError, isCliError } from './errors.ts';
import { EXIT } from './exit-codes.ts';
import { clean, reportError, type Io } from './output.ts';

async function usage(root: CommandDef, r: Pick<Resolved, 'cmd' | 'path'>): Promise<string> {
  const parent = r.path.length === 0 ? undefined : ({ meta: { name: ['hop3', ...r.path.slice(0, -1)].join(' ') } } as CommandDef);
  const text = await renderUsage(r.path.length === 0 ? root : r.cmd, parent);
  return `${clean(text)}\n`;
}

function toCliError(e: unknown): CliError {
  if (isCliError(e)) return e;
  if (isHop3Error(e)) return new CliError(e.code, e.message, { hint: e.hint });
  const err = e as { name?: string; message?: string; code?: string };
  if (err.name === 'CLIError') return new CliError('E_USAGE', clean(err.message ?? String(e)), { exit: EXIT.USAGE, hint: 'Run "hop3 --help" for usage.' });
  return new CliError('E_UNEXPECTED', e instanceof Error ? (e.stack ?? e.message) : String(e), { hint: 'This is a bug in the hop3 CLI; please report it.' });
}

export async function runCli(root: CommandDef, argv: readonly string[], io: Io): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    io.out(`${VERSION}\n`);
    return EXIT.OK;
  }
  let json = argv.includes('--json');
  try {
    const r = resolveCommand(root, argv);
    json = r.json;
    if (r.help || argv.length === 0) {
      io.out(await usage(root, r));
      return EXIT.OK;
    }
    if (r.cmd.run === undefined) {
      io.err(await usage(root, r));
      throw new CliError('E_USAGE', `"${['hop3', ...r.path].join(' ')}" needs a command`, { exit: EXIT.USAGE });
    }
    const { result } = await runCommand(r.cmd, { rawArgs: [...r.args] });
    return typeof result === 'number' ? result : EXIT.OK;
  } catch (e: unknown) {
    const err = toCliError(e);
    reportError(io, json, err);
    return err.exit;
  }
}
