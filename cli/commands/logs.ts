/** hop3 logs [-n N] [-f] [--process web]: the app's process logs. */
import { defineCommand } from 'citty';
import { LogLine } from '../../shared-protocol/api/processes.ts';
import { appArg, appFrom, connect, jsonArg, positiveInt } from '../common.ts';
import { CliError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { clean, emit, processIo as io } from '../output.ts';
import { streamEvents } from '../stream.ts';

export function logText(l: LogLine): string {
  return l.process === '' ? clean(l.line) : `${clean(l.process)} | ${clean(l.line)}`;
}

export const logsCommand = defineCommand({
  meta: { name: 'logs', description: 'Show the last lines of each process log; -f follows new lines' },
  args: {
    lines: { type: 'string', alias: 'n', description: 'last lines per process (default 100, at most 10000)', valueHint: 'N' },
    follow: { type: 'boolean', alias: 'f', default: false, description: 'keep following new lines (with --json: one JSON object per line)' },
    process: { type: 'string', alias: 'p', description: 'only this process type (web) or process (web.1)', valueHint: 'name' },
    ...appArg,
    ...jsonArg,
  },
  async run({ args }): Promise<number> {
    const { app } = appFrom(args);
    const n = positiveInt(args.lines, '--lines', 10_000);
    const query = { ...(n === undefined ? {} : { lines: String(n) }), ...(args.process === undefined ? {} : { process: String(args.process) }) };
    const client = connect();
    if (!args.follow) {
      const r = await client.call('logs.get', { params: { app }, query });
      emit(io, args.json, r, () => (r.lines.length === 0 ? `(no log lines for ${clean(app)})` : r.lines.map(logText).join('\n')));
      return EXIT.OK;
    }
    await streamEvents(client, 'logs.get', { params: { app }, query: { ...query, follow: 'true' } }, { log: LogLine }, (ev) => {
      io.out(args.json ? `${JSON.stringify(ev.data)}\n` : `${logText(ev.data)}\n`);
    });
    throw new CliError('E_STREAM_CLOSED', 'the server closed the log stream', { exit: EXIT.UNEXPECTED, hint: 'Run `hop3 logs -f` again (the server may have restarted).' });
  },
});
