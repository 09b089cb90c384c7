/** [[volumes]] and [limits] (ADR 046 §2-§3), with the Σ tmpfs < memory cross-check. */
import type { Reporter } from '../diagnostics.ts';
import type { LimitsConfig, Volume } from '../model.ts';
import type { LimitsRaw, VolumeRaw } from '../schema/sections.ts';
import { checkSize, formatSize } from './sizes.ts';

function badRelative(p: string): boolean {
  return p.trim() === '' || p.startsWith('/') || p.split(/[\\/]+/).includes('..') || p.includes('\0');
}

function badAbsolute(p: string): boolean {
  return !p.startsWith('/') || p.split('/').includes('..') || p.includes('\0');
}

function validateVolume(v: VolumeRaw, i: number, rep: Reporter): Volume | null {
  const path = ['volumes', i];
  const type = v.type ?? 'persist';
  let ok = true;
  if (badRelative(v.target)) {
    rep.error('E_CONFIG_VOLUME_TARGET', [...path, 'target'], `${JSON.stringify(v.target)} must be a relative path inside the app tree, without ".."`);
    ok = false;
  }
  let sizeBytes: number | null = null;
  if (v.size !== undefined) {
    if (type !== 'tmpfs') {
      rep.error('E_CONFIG_VOLUME_FIELD', [...path, 'size'], `size applies to tmpfs volumes only (this one is ${type})`);
      ok = false;
    } else {
      sizeBytes = checkSize(v.size, [...path, 'size'], rep);
      if (sizeBytes === null) ok = false;
    }
  } else if (type === 'tmpfs') {
    rep.error('E_CONFIG_TMPFS_SIZE_REQUIRED', path, `tmpfs volume "${v.name}" needs a size`);
    ok = false;
  }
  if (v.source !== undefined && type !== 'bind') {
    rep.error('E_CONFIG_VOLUME_FIELD', [...path, 'source'], `source applies to bind volumes only (this one is ${type})`);
    ok = false;
  }
  if (type === 'bind' && (v.source === undefined || badAbsolute(v.source))) {
    rep.error('E_CONFIG_BIND_SOURCE', v.source === undefined ? path : [...path, 'source'], v.source === undefined ? `bind volume "${v.name}" needs source = "/absolute/host/path"` : `${JSON.stringify(v.source)} must be an absolute path without ".."`);
    ok = false;
  }
  if (type === 'tmpfs' && v.backup !== undefined) {
    rep.error('E_CONFIG_VOLUME_BACKUP_TMPFS', [...path, 'backup'], 'a tmpfs volume is never backed up; remove [volumes.backup]');
    ok = false;
  }
  if (!ok) return null;
  const include = v.backup?.include;
  return {
    name: v.name,
    target: v.target.replace(/\/+$/, ''),
    type,
    sizeBytes,
    mode: v.mode ?? null,
    source: v.source ?? null,
    backup: type === 'tmpfs' ? false : (include ?? type === 'persist'),
  };
}

export function validateVolumes(raw: readonly VolumeRaw[], rep: Reporter): Volume[] {
  const out: Volume[] = [];
  const names = new Map<string, number>();
  const targets = new Map<string, number>();
  raw.forEach((v, i) => {
    const vol = validateVolume(v, i, rep);
    if (vol === null) return;
    const n = names.get(vol.name);
    const t = targets.get(vol.target);
    if (n !== undefined) rep.error('E_CONFIG_VOLUME_DUPLICATE', ['volumes', i, 'name'], `volume name "${vol.name}" is already used by volumes[${n}]`);
    else if (t !== undefined) rep.error('E_CONFIG_VOLUME_DUPLICATE', ['volumes', i, 'target'], `target "${vol.target}" is already used by volumes[${t}]`);
    else out.push(vol);
    names.set(vol.name, i);
    targets.set(vol.target, i);
  });
  return out;
}

export function validateLimits(raw: LimitsRaw, rep: Reporter): LimitsConfig | null {
  const memoryBytes = raw.memory === undefined ? null : checkSize(raw.memory, ['limits', 'memory'], rep);
  if (raw.memory !== undefined && memoryBytes === null) return null;
  return { memoryBytes, cpu: raw.cpu ?? null, processes: raw.processes ?? null };
}

/** Σ tmpfs sizes must stay strictly below [limits].memory (tmpfs pages count against the cap). */
export function checkTmpfsAgainstMemory(volumes: readonly Volume[], limits: LimitsConfig | null, rep: Reporter): void {
  if (limits?.memoryBytes == null) return;
  const tmpfs = volumes.filter((v) => v.type === 'tmpfs');
  const total = tmpfs.reduce((s, v) => s + (v.sizeBytes ?? 0), 0);
  if (tmpfs.length > 0 && total >= limits.memoryBytes) {
    rep.error('E_CONFIG_TMPFS_OVER_MEMORY', ['limits', 'memory'], `tmpfs volumes total ${formatSize(total)}, not below the memory limit ${formatSize(limits.memoryBytes)}`);
  }
}
