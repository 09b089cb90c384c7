/** hop3 ps, hop3 ps scale TYPE=N... */
import { defineCommand } from 'citty';
import { MAX_SCALE } from '../../shared-protocol/api/processes.ts';
import { appArg, appFrom, connect, jsonArg, parseAssignments } from '../common.ts';
import { usageError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { clean, emit, processIo as io } from '../output.ts';
import { processTable, scaleLine } from '../render-api.ts';

/** web=2 worker=0 → {web: 2, worker: 0}; counts are integers from 0 to MAX_SCALE. */
export function parseScale(items: readonly string[]): Record<string, number> {
  if (items.length === 0) throw usageError('ps scale needs TYPE=COUNT arguments, e.g. web=2 worker=1');
  const out: Record<string, number> = {};
  for (const [type, count] of Object.entries(parseAssignments(items, 'ps scale argument'))) {
    if (!/^\d+$/.test(count) || Number(count) > MAX_SCALE) throw usageError(`${type}=${count}: the count must be an integer from 0 to ${MAX_SCALE}`);
    out[type] = Number(count);
  }
  return out;
}

const scaleCommand = defineCommand({
  meta: { name: 'scale', description: `Set how many copies of each process type run (0 to ${MAX_SCALE})` },
  args: {
    counts: { type: 'positional', required: true, description: 'TYPE=COUNT, e.g. web=2 worker=1', valueHint: 'TYPE=COUNT' },
    ...appArg,
    ...jsonArg,
  },
  async run({ args }): Promise<number> {
    const { app } = appFrom(args);
    const scale = parseScale(args._.map(String));
    if (!args.json) io.err(`Scaling ${app} to ${scaleLine(scale)}…\n`);
    const r = await connect().call('processes.scale', { params: { app }, body: scale });
    emit(io, args.json, r, () => `${clean(app)} scale: ${scaleLine(r.scale)}\n${processTable(r.processes)}`);
    return EXIT.OK;
  },
});

export const psCommand = defineCommand({
  meta: { name: 'ps', description: 'List the app processes and its scale' },
  args: { ...appArg, ...jsonArg },
  subCommands: { scale: scaleCommand },
  async run({ args }): Promise<number> {
    const { app } = appFrom(args);
    const r = await connect().call('processes.list', { params: { app } });
    emit(io, args.json, r, () => `scale: ${scaleLine(r.scale)}\n${processTable(r.processes)}`);
    return EXIT.OK;
  },
});
