/** hop3 config set|unset|show: the app's env vars on the server (values encrypted at rest there). */
import { defineCommand } from 'citty';
import type { EnvList, EnvSetting } from '../../shared-protocol/api/env.ts';
import { appArg, appFrom, connect, jsonArg, parseAssignments } from '../common.ts';
import { usageError } from '../errors.ts';
import { clean, emit, processIo as io } from '../output.ts';
import { MASK, table } from '../render.ts';

export function envTable(list: EnvList): string {
  if (list.vars.length === 0) return `${clean(list.app)} has no env vars. Set some with \`hop3 config set KEY=VALUE\`.`;
  const rows = list.vars.map((v) => [clean(v.name), v.value === null ? MASK : JSON.stringify(v.value).slice(1, -1), v.secret ? 'secret' : '']);
  return table(rows, '');
}

/** The PATCH body's `set` for K=V arguments; --secret/--no-secret force the flag, else the server decides. */
export function settings(pairs: readonly string[], secret: boolean | undefined): Record<string, EnvSetting> {
  const values = parseAssignments(pairs, 'config set argument');
  const out: Record<string, EnvSetting> = {};
  for (const [k, v] of Object.entries(values)) out[k] = secret === undefined ? v : { value: v, secret };
  return out;
}

const setCommand = defineCommand({
  meta: { name: 'set', description: 'Set env vars (KEY=VALUE ...); they take effect at the next deploy or restart' },
  args: {
    pairs: { type: 'positional', required: true, description: 'KEY=VALUE, one or more', valueHint: 'KEY=VALUE' },
    secret: { type: 'boolean', description: 'mark the values secret (default: names like *_TOKEN, *PASSWORD*, URLs with a password)' },
    ...appArg,
    ...jsonArg,
  },
  async run({ args }): Promise<number> {
    const { app } = appFrom(args);
    const set = settings(args._, args.secret as boolean | undefined);
    const r = await connect().call('env.update', { params: { app }, body: { set } });
    emit(io, args.json, r, () => `Set ${Object.keys(set).join(', ')} on ${clean(app)} (takes effect at the next deploy or restart).`);
    return 0;
  },
});

const unsetCommand = defineCommand({
  meta: { name: 'unset', description: 'Remove env vars (KEY ...)' },
  args: {
    keys: { type: 'positional', required: true, description: 'names to remove', valueHint: 'KEY' },
    ...appArg,
    ...jsonArg,
  },
  async run({ args }): Promise<number> {
    const { app } = appFrom(args);
    const unset = args._.map(String);
    const bad = unset.find((k) => k.includes('='));
    if (bad !== undefined) throw usageError(`config unset takes names, got ${JSON.stringify(bad)}`, 'Use `hop3 config set KEY=VALUE` to set a value.');
    const r = await connect().call('env.update', { params: { app }, body: { unset } });
    emit(io, args.json, r, () => `Unset ${unset.join(', ')} on ${clean(app)} (takes effect at the next deploy or restart).`);
    return 0;
  },
});

const showCommand = defineCommand({
  meta: { name: 'show', description: 'Show the app env vars; secret values are masked unless --show-secrets' },
  args: {
    'show-secrets': { type: 'boolean', default: false, description: 'show secret values (the server logs that you asked)' },
    ...appArg,
    ...jsonArg,
  },
  async run({ args }): Promise<number> {
    const { app } = appFrom(args);
    const reveal = args['show-secrets'] === true;
    const r = await connect().call('env.show', { params: { app }, query: reveal ? { show_secrets: 'true' } : {} });
    emit(io, args.json, r, () => envTable(r));
    return 0;
  },
});

export const envSubCommands = { set: setCommand, unset: unsetCommand, show: showCommand };
