/** hop3 addon create|attach|detach|promote|destroy|list|show|status|types (`hop3 addons` = list). */
import { createInterface } from 'node:readline/promises';
import { defineCommand } from 'citty';
import type { AddonDetail, AppAddonList } from '../../shared-protocol/api/addons.ts';
import { appArg, appFrom, connect, jsonArg } from '../common.ts';
import { usageError } from '../errors.ts';
import { clean, emit, processIo as io } from '../output.ts';

const nameArg = { name: { type: 'positional', required: true, description: 'addon name', valueHint: 'name' } } as const;

function detailText(d: AddonDetail): string {
  const lines = [`${clean(d.name)} (${clean(d.type)}), created ${d.created_at}`];
  for (const [k, v] of Object.entries(d.env)) lines.push(`  ${clean(k)}=${clean(v)}`);
  lines.push(d.attachments.length === 0 ? 'attached to no app' : `attached to: ${d.attachments.map((a) => `${clean(a.app)}${a.primary ? ' (primary)' : ` (prefix ${a.prefix})`}`).join(', ')}`);
  if (!d.secrets_shown) lines.push('(secrets shown as ****; use --show-secrets)');
  return lines.join('\n');
}

function appAddonsText(r: AppAddonList): string {
  if (r.attachments.length === 0) return `${clean(r.app)} has no addons.`;
  return r.attachments.map((a) => `${clean(r.app)}: ${clean(a.name)} (${clean(a.type)})${a.primary ? ' primary' : ''} prefix ${a.prefix}`).join('\n');
}

function extensionsOf(raw: unknown): string[] {
  if (raw === undefined || raw === false) return [];
  return (Array.isArray(raw) ? raw : [raw]).map(String);
}

const create = defineCommand({
  meta: { name: 'create', description: 'Provision an addon: hop3 addon create <type> <name> [--extension x]...' },
  args: { type: { type: 'positional', required: true, description: 'postgres, mysql, redis or s3', valueHint: 'type' }, ...nameArg, extension: { type: 'string', description: 'postgres extension to install (repeatable)', valueHint: 'name' }, ...jsonArg },
  async run({ args }): Promise<number> {
    const r = await connect().call('addons.create', { body: { type: String(args.type), name: String(args.name), extensions: extensionsOf(args.extension) } });
    emit(io, args.json, r, () => `Created ${detailText(r)}`);
    return 0;
  },
});

function appCommand(verb: 'attach' | 'detach' | 'promote', description: string) {
  return defineCommand({
    meta: { name: verb, description },
    args: { ...nameArg, ...appArg, ...jsonArg },
    async run({ args }): Promise<number> {
      const { app } = appFrom(args);
      const params = { app, name: String(args.name) };
      const route = verb === 'attach' ? 'addons.attach' : verb === 'detach' ? 'addons.detach' : 'addons.promote';
      const r = await connect().call(route, { params });
      const note = verb === 'promote' ? '' : ' (takes effect on the next deploy or restart)';
      emit(io, args.json, r, () => `${verb === 'attach' ? 'Attached' : verb === 'detach' ? 'Detached' : 'Promoted'} ${clean(params.name)}${note}.\n${appAddonsText(r)}`);
      return 0;
    },
  });
}

async function typedConfirm(name: string): Promise<string> {
  if (process.stdin.isTTY !== true) throw usageError(`destroying addon ${name} needs --confirm=${name}`, `Run \`hop3 addon destroy ${name} --confirm=${name}\`; this deletes its data.`);
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await rl.question(`This deletes addon ${name} and its data. Type its name to confirm: `)).trim();
  } finally {
    rl.close();
  }
}

const destroy = defineCommand({
  meta: { name: 'destroy', description: 'Delete an addon and its data (typed confirmation; --confirm=<name> for scripts)' },
  args: { ...nameArg, confirm: { type: 'string', description: 'must repeat the addon name', valueHint: 'name' }, force: { type: 'boolean', default: false, description: 'destroy even while attached' }, ...jsonArg },
  async run({ args }): Promise<number> {
    const name = String(args.name);
    const confirm = args.confirm === undefined || args.confirm === '' ? await typedConfirm(name) : String(args.confirm);
    if (confirm !== name) throw usageError(`the confirmation does not match the addon name ${JSON.stringify(name)}`, 'Nothing was destroyed.');
    const r = await connect().call('addons.destroy', { params: { name }, query: { confirm, ...(args.force ? { force: 'true' as const } : {}) } });
    emit(io, args.json, r, () => `Destroyed ${clean(r.name)} (${clean(r.type)})${r.detached.length > 0 ? `; detached from ${r.detached.map(clean).join(', ')}` : ''}.`);
    return 0;
  },
});

async function listRun({ args }: { args: { json: boolean } }): Promise<number> {
    const c = connect();
    const [types, r] = [await c.call('addons.types', {}), await c.call('addons.list', {})];
    emit(io, args.json, { ...types, ...r }, () =>
      [`types: ${types.types.map((t) => `${t.type}${t.available ? '' : ' (not offered)'}`).join(', ')}`, ...r.addons.map((a) => `${clean(a.name)}  ${clean(a.type)}  ${a.apps.length === 0 ? '-' : a.apps.map(clean).join(',')}`)].join('\n'),
    );
    return 0;
}

const list = defineCommand({ meta: { name: 'list', description: 'Addon types and every addon with its apps' }, args: { ...jsonArg }, run: listRun });

const show = defineCommand({
  meta: { name: 'show', description: 'One addon: env (secrets masked unless --show-secrets), attachments' },
  args: { ...nameArg, 'show-secrets': { type: 'boolean', default: false, description: 'print secret values (the reveal is logged)' }, ...jsonArg },
  async run({ args }): Promise<number> {
    const r = await connect().call('addons.show', { params: { name: String(args.name) }, query: args['show-secrets'] ? { show_secrets: 'true' } : {} });
    emit(io, args.json, r, () => detailText(r));
    return 0;
  },
});

const status = defineCommand({
  meta: { name: 'status', description: "Connect with the addon's own credentials and report" },
  args: { ...nameArg, ...jsonArg },
  async run({ args }): Promise<number> {
    const r = await connect().call('addons.status', { params: { name: String(args.name) } });
    emit(io, args.json, r, () => `${clean(r.name)} (${clean(r.type)}): ${r.ok ? 'ok' : 'FAILING'} — ${clean(r.detail)}\napps: ${r.apps.length === 0 ? '-' : r.apps.map(clean).join(', ')}`);
    return r.ok ? 0 : 1;
  },
});

const types = defineCommand({
  meta: { name: 'types', description: 'Addon types this server offers and the variables each injects' },
  args: { ...jsonArg },
  async run({ args }): Promise<number> {
    const r = await connect().call('addons.types', {});
    emit(io, args.json, r, () => r.types.map((t) => `${t.type}: ${t.available ? t.env.join(', ') : 'not offered by this server'} (${t.instances} instances)`).join('\n'));
    return 0;
  },
});

export const addonCommand = defineCommand({
  meta: { name: 'addon', description: 'Create, attach, detach, promote, destroy and inspect addons (postgres, mysql, redis, s3)' },
  subCommands: { create, attach: appCommand('attach', 'Attach an addon to an app'), detach: appCommand('detach', 'Detach an addon from an app (data kept)'), promote: appCommand('promote', 'Make the addon the primary of its type on the app'), destroy, list, show, status, types },
});

export const addonsCommand = defineCommand({ meta: { name: 'addons', description: 'List addon types and addons (hop3 addon list)' }, args: { ...jsonArg }, run: listRun });
