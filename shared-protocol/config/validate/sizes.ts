/** Sizes: "512M", "1G", "64K", "1048576" or an integer number of bytes. */
import type { KeyPath } from '../source/position.ts';
import type { Reporter } from '../diagnostics.ts';

const UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };
const SIZE_RE = /^(\d+)([KMG]?)$/i;

/** Bytes, or null when the text is not a size. */
export function parseSize(value: string | number): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value > 0 ? value : null;
  const m = SIZE_RE.exec(value.trim());
  if (m === null) return null;
  const n = Number(m[1]) * (UNITS[(m[2] ?? '').toUpperCase()] ?? 1);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export function checkSize(value: string | number, path: KeyPath, rep: Reporter): number | null {
  const bytes = parseSize(value);
  if (bytes === null) rep.error('E_CONFIG_SIZE', path, `${JSON.stringify(value)} is not a positive size with an optional K/M/G suffix`);
  return bytes;
}

export function formatSize(bytes: number): string {
  for (const [u, f] of [['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) {
    if (bytes % f === 0) return `${bytes / f}${u}`;
  }
  return `${bytes}`;
}
