/**
 * The addon lifecycle: create (reserve the name, provision, seal), attach,
 * detach, promote, destroy, list/show/status/types, and what a deploy needs
 * (ensure the [[addons]] of hop3.toml, the facts of an app's attachments).
 * Backends are generic behind server/addons/backend.ts.
 */
import { and, asc, eq } from 'drizzle-orm';
import type { AddonDetail, AddonList, AddonStatusBody, AddonTypes, AppAddonList } from '../../shared-protocol/api/addons.ts';
import type { AddonFact } from '../../shared-protocol/config/resolve-env.ts';
import { extensionVerdict } from '../../shared-protocol/config/pg-extensions.ts';
import { Hop3Error, isHop3Error } from '../../shared-protocol/errors.ts';
import type { SecretBox } from '../crypto/secrets.ts';
import type { Db } from '../db/open.ts';
import { addonAttachments, addons } from '../db/schema/index.ts';
import type { Logger } from '../log.ts';
import { requireApp } from '../services/apps.ts';
import { ADDON_TYPES, type AddonType } from './backend.ts';
import { addonFacts, maskEnv } from './env.ts';
import { checkAddonName, checkAddonType, envPrefix } from './names.ts';
import type { BackendRegistry } from './registry.ts';
import { attachmentsOfAddon, attachmentsOfApp, findAttachment, provisioned, requireAddon, sealSecrets, type AddonRow } from './store.ts';

export interface AddonServiceDeps {
  readonly db: Db;
  readonly secrets: SecretBox;
  readonly backends: BackendRegistry;
  readonly clock: () => Date;
  readonly log: Logger;
  /** HOP3_EXTRA_PG_EXTENSIONS (server config addons.extra_pg_extensions). */
  readonly extraPgExtensions: readonly string[];
}

function checkExtensions(type: AddonType, extensions: readonly string[], extra: readonly string[]): string[] {
  if (extensions.length === 0) return [];
  if (type !== 'postgres') throw new Hop3Error('E_ADDON_EXTENSIONS_UNSUPPORTED', `extensions apply to postgres addons only, not ${type}`, { hint: 'Remove the extensions.' });
  for (const e of extensions) {
    const v = extensionVerdict(e, extra);
    if (v === 'denied') throw new Hop3Error('E_ADDON_EXTENSION_DENIED', `extension ${JSON.stringify(e)} is in the hard-deny set (filesystem, network or code execution)`, { hint: 'It cannot be enabled on any Hop3 install.' });
    if (v === 'not-allowed') throw new Hop3Error('E_ADDON_EXTENSION_DENIED', `extension ${JSON.stringify(e)} is not in the allow-list`, { hint: 'Ask the operator to add it to HOP3_EXTRA_PG_EXTENSIONS, or pick an allowed one (docs/addons.md).' });
  }
  return [...new Set(extensions.map((e) => e.toLowerCase()))];
}

function exists(name: string): Hop3Error {
  return new Hop3Error('E_ADDON_EXISTS', `an addon named ${name} exists`, { hint: 'Pick another name, or attach the existing addon.' });
}

export function createAddonService(deps: AddonServiceDeps) {
  const { db, secrets, backends, log } = deps;
  /** Addons whose destroy is running: a second concurrent destroy must not deprovision twice. */
  const destroying = new Set<string>();

  function detail(row: AddonRow & { type: AddonType }, showSecrets: boolean): AddonDetail {
    const p = provisioned(secrets, row);
    const env = backends.get(row.type).env(row.name, p);
    return {
      name: row.name,
      type: row.type,
      created_at: row.createdAt.toISOString(),
      resource: { ...row.resource },
      env: showSecrets ? env : maskEnv(env, p),
      secrets_shown: showSecrets,
      attachments: attachmentsOfAddon(db, row.id).map((a) => ({ app: a.app, primary: a.primary, prefix: a.prefix, created_at: a.createdAt.toISOString() })),
    };
  }

  function appList(appName: string): AppAddonList {
    const app = requireApp(db, appName);
    return { app: app.name, attachments: attachmentsOfApp(db, app.id).map((a) => ({ name: a.addon.name, type: a.addon.type, primary: a.primary, prefix: a.prefix })) };
  }

  async function create(typeIn: string, nameIn: string, opts: { extensions?: readonly string[] } = {}): Promise<AddonDetail> {
    const name = checkAddonName(nameIn);
    const type = checkAddonType(typeIn);
    const extensions = checkExtensions(type, opts.extensions ?? [], deps.extraPgExtensions);
    const backend = backends.get(type);
    // Reserve the name first: the unique constraint is the lock against a concurrent create.
    try {
      db.insert(addons).values({ name, type, state: 'provisioning', createdAt: deps.clock() }).run();
    } catch (e) {
      if (e instanceof Error && String((e as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT')) throw exists(name);
      throw e;
    }
    const started = performance.now();
    try {
      const p = await backend.provision(name, { extensions });
      db.update(addons).set({ state: 'ready', resource: { ...p.resource }, secretsSealed: sealSecrets(secrets, name, p.secrets) }).where(eq(addons.name, name)).run();
    } catch (e) {
      db.delete(addons).where(eq(addons.name, name)).run();
      log.warn('addon provisioning failed', { addon: name, type, code: isHop3Error(e) ? e.code : 'unexpected' });
      if (isHop3Error(e)) throw e;
      throw new Hop3Error('E_ADDON_PROVISION_FAILED', `provisioning ${type} addon ${name} failed`, { hint: 'See the server log; nothing was left behind.', cause: e });
    }
    log.info('addon created', { addon: name, type, ms: Math.round(performance.now() - started) });
    return detail(requireAddon(db, name), false);
  }

  function attach(name: string, appName: string): AppAddonList {
    const addon = requireAddon(db, checkAddonName(name));
    const app = requireApp(db, appName);
    if (findAttachment(db, addon.id, app.id) !== undefined) return appList(app.name);
    db.transaction((tx) => {
      const hasPrimary = tx.select().from(addonAttachments).where(and(eq(addonAttachments.appId, app.id), eq(addonAttachments.type, addon.type), eq(addonAttachments.primary, true))).get();
      tx.insert(addonAttachments).values({ addonId: addon.id, appId: app.id, type: addon.type, primary: hasPrimary === undefined, prefix: envPrefix(addon.name), createdAt: deps.clock() }).run();
    });
    log.info('addon attached', { addon: addon.name, app: app.name });
    return appList(app.name);
  }

  function requireAttachment(name: string, appName: string) {
    const addon = requireAddon(db, checkAddonName(name));
    const app = requireApp(db, appName);
    const row = findAttachment(db, addon.id, app.id);
    if (row === undefined) throw new Hop3Error('E_ADDON_NOT_ATTACHED', `addon ${addon.name} is not attached to ${app.name}`, { hint: `See \`hop3 addon show ${addon.name}\` for its apps.` });
    return { addon, app, row };
  }

  function detach(name: string, appName: string): AppAddonList {
    const { addon, app, row } = requireAttachment(name, appName);
    db.transaction((tx) => {
      tx.delete(addonAttachments).where(eq(addonAttachments.id, row.id)).run();
      if (!row.primary) return;
      // The oldest remaining attachment of that type becomes primary.
      const next = tx.select().from(addonAttachments).where(and(eq(addonAttachments.appId, app.id), eq(addonAttachments.type, addon.type))).orderBy(asc(addonAttachments.createdAt), asc(addonAttachments.id)).get();
      if (next !== undefined) tx.update(addonAttachments).set({ primary: true }).where(eq(addonAttachments.id, next.id)).run();
    });
    log.info('addon detached', { addon: addon.name, app: app.name });
    return appList(app.name);
  }

  function promote(name: string, appName: string): AppAddonList {
    const { addon, app, row } = requireAttachment(name, appName);
    if (!row.primary) {
      db.transaction((tx) => {
        tx.update(addonAttachments).set({ primary: false }).where(and(eq(addonAttachments.appId, app.id), eq(addonAttachments.type, addon.type))).run();
        tx.update(addonAttachments).set({ primary: true }).where(eq(addonAttachments.id, row.id)).run();
      });
      log.info('addon promoted', { addon: addon.name, app: app.name });
    }
    return appList(app.name);
  }

  async function destroy(nameIn: string, opts: { confirm?: string | undefined; force?: boolean }) {
    const addon = requireAddon(db, checkAddonName(nameIn));
    if (opts.confirm !== addon.name) {
      throw new Hop3Error('E_ADDON_CONFIRM_REQUIRED', `destroying addon ${addon.name} deletes its data: confirm with its exact name`, { hint: `Repeat with --confirm=${addon.name}.` });
    }
    const attached = attachmentsOfAddon(db, addon.id).map((a) => a.app);
    if (attached.length > 0 && opts.force !== true) {
      throw new Hop3Error('E_ADDON_ATTACHED', `addon ${addon.name} is attached to ${attached.join(', ')}`, { hint: 'Detach it first (`hop3 addon detach <name> --app A`), or pass --force.' });
    }
    if (destroying.has(addon.name)) throw new Hop3Error('E_ADDON_BUSY', `addon ${addon.name} is being destroyed`, { hint: 'Wait for that destroy to finish.' });
    destroying.add(addon.name);
    try {
      // Order: the backend removes its resources (redis: flush, then release its DB — only while still held),
      // then the row goes (attachments and redis_dbs cascade). A backend's typed error passes through unchanged.
      await backends.get(addon.type).deprovision(addon.name, provisioned(secrets, addon));
      db.delete(addons).where(eq(addons.id, addon.id)).run();
    } finally {
      destroying.delete(addon.name);
    }
    log.info('addon destroyed', { addon: addon.name, type: addon.type, detached: attached });
    return { name: addon.name, type: addon.type, detached: attached };
  }

  return {
    create,
    attach,
    detach,
    promote,
    destroy,
    appList,
    list(): AddonList {
      const rows = db.select().from(addons).where(eq(addons.state, 'ready')).orderBy(asc(addons.name)).all();
      return { addons: rows.map((r) => ({ name: r.name, type: r.type, created_at: r.createdAt.toISOString(), apps: attachmentsOfAddon(db, r.id).map((a) => a.app) })) };
    },
    show(name: string, showSecrets: boolean, who: string | undefined): AddonDetail {
      const row = requireAddon(db, checkAddonName(name));
      if (showSecrets) log.info('addon secrets revealed', { addon: row.name, token: who ?? 'unknown' });
      return detail(row, showSecrets);
    },
    async status(name: string): Promise<AddonStatusBody> {
      const row = requireAddon(db, checkAddonName(name));
      const s = await backends.get(row.type).status(row.name, provisioned(secrets, row));
      return { name: row.name, type: row.type, ok: s.ok, detail: s.detail, apps: attachmentsOfAddon(db, row.id).map((a) => a.app) };
    },
    types(): AddonTypes {
      const rows = db.select({ type: addons.type }).from(addons).where(eq(addons.state, 'ready')).all();
      return {
        types: ADDON_TYPES.map((t) => {
          const available = backends.available(t);
          return { type: t, available, env: available ? [...backends.get(t).envKeys] : [], instances: rows.filter((r) => r.type === t).length };
        }),
      };
    },
    /** The facts of an app's attachments, for resolveEnv. */
    factsForApp(appName: string): AddonFact[] {
      return addonFacts(secrets, backends, attachmentsOfApp(db, requireApp(db, appName).id));
    },
    /** [[addons]] of hop3.toml: provision on first deploy, reuse later, attach. Returns lines for the deploy log. */
    async ensureDeclared(appName: string, declared: readonly { type: string; name: string | null; extensions: readonly string[] }[]): Promise<string[]> {
      const lines: string[] = [];
      for (const d of declared) {
        const name = checkAddonName(d.name ?? appName);
        const row = db.select().from(addons).where(eq(addons.name, name)).get();
        if (row === undefined) {
          await create(d.type, name, { extensions: d.extensions });
          lines.push(`provisioned ${d.type} addon ${name}`);
        } else if (row.type !== d.type) {
          throw new Hop3Error('E_ADDON_TYPE_MISMATCH', `[[addons]] asks for ${d.type} addon ${name}, but ${name} is a ${row.type} addon`, { hint: 'Give the [[addons]] entry another `name`, or destroy the other addon.' });
        }
        const app = requireApp(db, appName);
        const ready = requireAddon(db, name);
        if (findAttachment(db, ready.id, app.id) === undefined) {
          attach(name, appName);
          lines.push(`attached addon ${name}`);
        }
      }
      return lines;
    },
  };
}

export type AddonService = ReturnType<typeof createAddonService>;
