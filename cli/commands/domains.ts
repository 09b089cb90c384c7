/** hop3 domains list|add|remove|set|clear: the host names nginx routes to the app. */
import { defineCommand } from 'citty';
import type { DomainList } from '../../shared-protocol/api/domains.ts';
import { describeHostnameProblem, hostnameProblem } from '../../shared-protocol/api/hostname.ts';
import { appArg, appFrom, connect, jsonArg } from '../common.ts';
import { CliError } from '../errors.ts';
import { EXIT } from '../exit-codes.ts';
import { clean, emit, processIo as io } from '../output.ts';

export function domainsText(d: DomainList): string {
  const lines = d.domains.length === 0 ? [`${clean(d.app)} has no domains; it answers on ${clean(d.default_hostname)}.`] : d.domains.map(clean);
  if (d.domains.length > 0) lines.push(`(default host name ${clean(d.default_hostname)} is not routed while domains are set)`);
  return lines.join('\n');
}

/** Check host names here for a precise message before the server checks them again. */
export function checkHostnames(names: readonly string[]): string[] {
  for (const n of names) {
    const p = hostnameProblem(n);
    if (p !== null) {
      throw new CliError('E_INVALID_HOSTNAME', describeHostnameProblem(n, p), {
        exit: EXIT.USAGE,
        hint: 'Use lowercase labels of letters, digits and dashes separated by dots (IDNs in punycode, no wildcards).',
      });
    }
  }
  return [...names];
}

const hostnameArg = { hostname: { type: 'positional', required: true, description: 'host name, e.g. www.example.com', valueHint: 'hostname' } } as const;

const listCommand = defineCommand({
  meta: { name: 'list', description: 'The app domains and the host names it answers on' },
  args: { ...appArg, ...jsonArg },
  async run({ args }): Promise<number> {
    const { app } = appFrom(args);
    const r = await connect().call('domains.list', { params: { app } });
    emit(io, args.json, r, () => domainsText(r));
    return 0;
  },
});

const addCommand = defineCommand({
  meta: { name: 'add', description: 'Add a host name to the app' },
  args: { ...hostnameArg, ...appArg, ...jsonArg },
  async run({ args }): Promise<number> {
    const { app } = appFrom(args);
    const [hostname] = checkHostnames([String(args.hostname)]) as [string];
    const r = await connect().call('domains.add', { params: { app }, body: { hostname } });
    emit(io, args.json, r, () => `Added ${clean(hostname)} to ${clean(app)}.\n${domainsText(r)}`);
    return 0;
  },
});

const removeCommand = defineCommand({
  meta: { name: 'remove', description: 'Remove a host name from the app' },
  args: { ...hostnameArg, ...appArg, ...jsonArg },
  async run({ args }): Promise<number> {
    const { app } = appFrom(args);
    const hostname = String(args.hostname);
    const r = await connect().call('domains.remove', { params: { app, hostname } });
    emit(io, args.json, r, () => `Removed ${clean(hostname)} from ${clean(app)}.\n${domainsText(r)}`);
    return 0;
  },
});

const setCommand = defineCommand({
  meta: { name: 'set', description: 'Replace all the app domains with these host names' },
  args: { hostnames: { type: 'positional', required: true, description: 'host names', valueHint: 'hostname' }, ...appArg, ...jsonArg },
  async run({ args }): Promise<number> {
    const { app } = appFrom(args);
    const hostnames = checkHostnames(args._.map(String));
    const r = await connect().call('domains.set', { params: { app }, body: { hostnames } });
    emit(io, args.json, r, () => domainsText(r));
    return 0;
  },
});

const clearCommand = defineCommand({
  meta: { name: 'clear', description: 'Remove every domain; the app answers on <app>.<server domain> again' },
  args: { ...appArg, ...jsonArg },
  async run({ args }): Promise<number> {
    const { app } = appFrom(args);
    const r = await connect().call('domains.clear', { params: { app } });
    emit(io, args.json, r, () => domainsText(r));
    return 0;
  },
});

export const domainsCommand = defineCommand({
  meta: { name: 'domains', description: 'List, add, remove, set or clear the app domains' },
  subCommands: { list: listCommand, add: addCommand, remove: removeCommand, set: setCommand, clear: clearCommand },
});
