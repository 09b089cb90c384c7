/** hop3 run -- <cmd...>: a one-off command in the app's current release, with its env. */
import { defineCommand } from 'citty';
import { RUN_EVENTS, type RunExitEvent, type RunOutputEvent } from '../../shared-protocol/api/processes.ts';
import { appArg, appFrom, connect, jsonArg, positiveInt } from '../common.ts';
import { CliError, usageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { emit, processIo as io } from '../output.ts';
import { streamEvents } from '../stream.ts';

/** The command words: everything after "--", or the positionals when there is no "--". */
export function commandWords(rawArgs: readonly string[], positionals: readonly string[]): string[] {
  const dash = rawArgs.indexOf('--');
  const words = dash === -1 ? [...positionals] : rawArgs.slice(dash + 1);
  if (words.length === 0) throw usageError('run needs a command', 'Write it after "--", e.g. `hop3 run -- npm run migrate`.');
  return words;
}

/** The exit code of `hop3 run`: the command's own, 1 for a signal or a timeout. */
export function runExitCode(exit: RunExitEvent): number {
  if (exit.exit_code !== null && !exit.timed_out) return exit.exit_code;
  return EXIT.UNEXPECTED;
}

export const runCommand = defineCommand({
  meta: { name: 'run', description: 'Run a one-off command in the current release with the app env; exits with its status' },
  args: {
    command: { type: 'positional', required: false, description: 'the command and its arguments, after "--"', valueHint: 'cmd...' },
    timeout: { type: 'string', description: 'seconds before the command is killed (default 600, at most 3600)', valueHint: 's' },
    ...appArg,
    ...jsonArg,
  },
  async run({ args, rawArgs }): Promise<number> {
    const { app } = appFrom(args);
    const command = commandWords(rawArgs, args._.map(String));
    const timeout = positiveInt(args.timeout, '--timeout', 3600);
    const output: RunOutputEvent[] = [];
    let exit: RunExitEvent | undefined;
    await streamEvents(
      connect(),
      'apps.run',
      { params: { app }, body: { command, ...(timeout === undefined ? {} : { timeout_s: timeout }) } },
      RUN_EVENTS,
      (ev) => {
        if (ev.event === 'exit') {
          exit = ev.data;
          return 'stop';
        }
        if (args.json) output.push(ev.data);
        else if (ev.data.stream === 'stdout') io.out(`${ev.data.line}\n`);
        else io.err(`${ev.data.line}\n`);
      },
    );
    if (exit === undefined) {
      throw new CliError('E_STREAM_CLOSED', 'the server closed the stream before the command ended', {
        hint: 'The command was killed when the connection dropped; run it again.',
      });
    }
    const code = runExitCode(exit);
    emit(io, args.json, { app, command, output, ...exit }, () => '');
    if (!args.json && exit.timed_out) io.err(`hop3: the command was killed after its timeout (${exit.duration_ms} ms)\n`);
    else if (!args.json && exit.signal !== null) io.err(`hop3: the command was killed by ${exit.signal}\n`);
    return code;
  },
});
