/** Addon rows: read, seal/open the secrets (AAD ['addon', name]), attachments of an app or an addon. */
import { and, asc, eq } from 'drizzle-orm';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { SecretBox } from '../crypto/secrets.ts';
import type { Db } from '../db/open.ts';
import { addonAttachments, addons, apps } from '../db/schema/index.ts';
import type { AddonType, Provisioned } from './backend.ts';

export type AddonRow = typeof addons.$inferSelect;

export function addonContext(name: string): readonly string[] {
  return ['addon', name];
}

export function sealSecrets(box: SecretBox, name: string, secrets: Readonly<Record<string, string>>): Buffer {
  return box.seal(JSON.stringify(secrets), addonContext(name));
}

export function provisioned(box: SecretBox, row: AddonRow): Provisioned {
  const secrets = row.secretsSealed === null ? {} : (JSON.parse(box.open(row.secretsSealed, addonContext(row.name))) as Record<string, string>);
  return { resource: row.resource, secrets };
}

/** A ready addon (a row still provisioning is someone else's create in flight: not found yet). */
export function requireAddon(db: Db, name: string): AddonRow & { type: AddonType } {
  const row = db.select().from(addons).where(eq(addons.name, name)).get();
  if (row === undefined || row.state !== 'ready') {
    throw new Hop3Error('E_ADDON_NOT_FOUND', `no addon named ${name}`, { hint: 'List addons with `hop3 addon list`.' });
  }
  return row as AddonRow & { type: AddonType };
}

export interface AttachmentView {
  readonly addon: AddonRow & { type: AddonType };
  readonly app: string;
  readonly appId: number;
  readonly primary: boolean;
  readonly prefix: string;
  readonly createdAt: Date;
}

function attachments(db: Db, where: ReturnType<typeof eq>): AttachmentView[] {
  return db
    .select({ a: addons, app: apps.name, appId: apps.id, primary: addonAttachments.primary, prefix: addonAttachments.prefix, createdAt: addonAttachments.createdAt })
    .from(addonAttachments)
    .innerJoin(addons, eq(addons.id, addonAttachments.addonId))
    .innerJoin(apps, eq(apps.id, addonAttachments.appId))
    .where(where)
    .orderBy(asc(addonAttachments.createdAt), asc(addonAttachments.id))
    .all()
    .map((r) => ({ addon: r.a as AddonRow & { type: AddonType }, app: r.app, appId: r.appId, primary: r.primary, prefix: r.prefix, createdAt: r.createdAt }));
}

export function attachmentsOfApp(db: Db, appId: number): AttachmentView[] {
  return attachments(db, eq(addonAttachments.appId, appId));
}

export function attachmentsOfAddon(db: Db, addonId: number): AttachmentView[] {
  return attachments(db, eq(addonAttachments.addonId, addonId));
}

export function findAttachment(db: Db, addonId: number, appId: number) {
  return db.select().from(addonAttachments).where(and(eq(addonAttachments.addonId, addonId), eq(addonAttachments.appId, appId))).get();
}
