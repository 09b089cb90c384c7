/**
 * Vassal names: one uWSGI vassal per (app, release, process type, index),
 * stored as `<app>__<release>__<type>__<index>.ini`. App names and release ids
 * never contain "_", so the name parses back unambiguously even when a process
 * type contains "__".
 */
import { Hop3Error } from '../../shared-protocol/errors.ts';

export const APP_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const RELEASE_RE = /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,62}[A-Za-z0-9])?$/;
export const PROCESS_TYPE_RE = /^[A-Za-z0-9_-]{1,63}$/;
export const MAX_INDEX = 999;

const FILE_RE = /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)__([A-Za-z0-9](?:[A-Za-z0-9.-]{0,62}[A-Za-z0-9])?)__([A-Za-z0-9_-]{1,63})__([1-9][0-9]{0,2})\.ini$/;

export interface VassalId {
  readonly app: string;
  readonly release: string;
  readonly type: string;
  readonly index: number;
}

function invalid(what: string, value: unknown): never {
  throw new Hop3Error('E_RUNTIME_INVALID_NAME', `invalid ${what}: ${JSON.stringify(value)}`);
}

export function checkVassalId(id: VassalId): VassalId {
  if (!APP_RE.test(id.app)) invalid('app name', id.app);
  if (!RELEASE_RE.test(id.release)) invalid('release id', id.release);
  if (!PROCESS_TYPE_RE.test(id.type)) invalid('process type', id.type);
  if (!Number.isInteger(id.index) || id.index < 1 || id.index > MAX_INDEX) invalid('process index', id.index);
  return id;
}

/** `<app>__<release>__<type>__<index>`: names the vassal, its log and its pidfile. */
export function vassalStem(id: VassalId): string {
  checkVassalId(id);
  return `${id.app}__${id.release}__${id.type}__${id.index}`;
}

export function vassalFileName(id: VassalId): string {
  return `${vassalStem(id)}.ini`;
}

/** The id a vassal file name encodes, or null for any other file (temp files, foreign vassals). */
export function parseVassalFileName(name: string): VassalId | null {
  const m = FILE_RE.exec(name);
  if (m === null) return null;
  const [, app, release, type, index] = m;
  if (app === undefined || release === undefined || type === undefined || index === undefined) return null;
  return { app, release, type, index: Number(index) };
}

/** "web.1", as `hop3 ps` shows a process. */
export function processLabel(id: Pick<VassalId, 'type' | 'index'>): string {
  return `${id.type}.${id.index}`;
}
