/** Terminal rendering helpers shared by the CLI commands. */
import { formatDiagnostic, type Diagnostic } from '../shared-protocol/config/index.ts';

export function printDiagnostics(diagnostics: readonly Diagnostic[], write: (s: string) => void): void {
  for (const d of diagnostics) write(`${formatDiagnostic(d)}\n`);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  if (diagnostics.length > 0) write(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
}

const SECRET_KEY_RE = /(SECRET|PASSWORD|PASSWD|PWD|TOKEN|PRIVATE|CREDENTIAL|API_?KEY|_KEY$|^KEY$|PASS$)/i;
const URL_CREDENTIALS_RE = /^([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)([^@/\s]+)(@)/i;

export const MASK = '********';

/** A static env value as explain shows it: secret-looking keys masked, URL passwords masked. */
export function maskValue(key: string, value: string): string {
  if (SECRET_KEY_RE.test(key)) return MASK;
  return value.replace(URL_CREDENTIALS_RE, `$1${MASK}$3`);
}

/** Align rows of cells into columns. */
export function table(rows: readonly (readonly string[])[], indent = '  '): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '))
    .join('\n');
}
