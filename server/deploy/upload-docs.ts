/** Markdown tables for docs/builds.md, rendered from the code (limits, error catalogs). */
import type { ErrorCatalog } from '../../shared-protocol/errors.ts';
import { UPLOAD_ERRORS } from '../../shared-protocol/upload/errors.ts';
import { DEFAULT_UPLOAD_LIMITS, TAR_OVERHEAD_PER_ENTRY, UPLOAD_LIMIT_DOCS, type UploadLimits } from '../../shared-protocol/upload/limits.ts';

function human(bytes: number): string {
  const units: Array<[number, string]> = [
    [1024 ** 3, 'GiB'],
    [1024 ** 2, 'MiB'],
    [1024, 'KiB'],
  ];
  for (const [size, unit] of units) if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  return String(bytes);
}

const cell = (s: string): string => s.replaceAll('|', '\\|');

export function renderLimitsTable(): string {
  const rows = (Object.keys(UPLOAD_LIMIT_DOCS) as Array<keyof UploadLimits>).map((k) => {
    const v = DEFAULT_UPLOAD_LIMITS[k];
    const shown = v >= 1024 * 1024 ? human(v) : k.endsWith('Bytes') ? `${v} bytes` : v.toLocaleString('en-US');
    return `| \`${k}\` | ${shown} | ${cell(UPLOAD_LIMIT_DOCS[k])} |`;
  });
  return [
    '| limit | default | what it bounds; code |',
    '| --- | --- | --- |',
    ...rows,
    '',
    `The decompressed tar stream itself is capped at maxUncompressedBytes + (maxEntries + 1) × ${TAR_OVERHEAD_PER_ENTRY} bytes of headers and padding + maxTrailingBytes.`,
  ].join('\n');
}

export function renderErrorTable(catalog: ErrorCatalog): string {
  return [
    '| code | meaning | hint |',
    '| --- | --- | --- |',
    ...Object.entries(catalog).map(([code, info]) => `| \`${code}\` | ${cell(info.meaning)} | ${cell(info.hint)} |`),
  ].join('\n');
}

export const renderUploadErrors = (): string => renderErrorTable(UPLOAD_ERRORS);
