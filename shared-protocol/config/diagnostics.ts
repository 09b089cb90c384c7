/**
 * Diagnostics: what the loader and validator report. Every entry carries a
 * stable code, the file, line and column, the key path, a message and a hint.
 */
import { infoFor, type ConfigCode } from './errors.ts';
import { formatPath, lookupPos, type KeyPath, type PositionMap } from './source/position.ts';

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  readonly severity: Severity;
  readonly code: ConfigCode;
  readonly file: string;
  /** 1-based; 0 when the problem is about the file as a whole */
  readonly line: number;
  /** 1-based; 0 when the problem is about the file as a whole */
  readonly column: number;
  /** dotted key path (volumes[0].size); '' for the whole file */
  readonly path: string;
  readonly message: string;
  readonly hint: string;
}

/** Collects diagnostics for one source file, resolving positions from its map. */
export class Reporter {
  readonly diagnostics: Diagnostic[] = [];

  constructor(
    readonly file: string,
    private readonly positions: PositionMap = new Map(),
  ) {}

  error(code: ConfigCode, path: KeyPath, message: string, hint?: string): void {
    this.push('error', code, path, message, hint);
  }

  warn(code: ConfigCode, path: KeyPath, message: string, hint?: string): void {
    this.push('warning', code, path, message, hint);
  }

  /** Record a diagnostic at an explicit position (parsers use this). */
  at(code: ConfigCode, line: number, column: number, message: string, hint?: string, path = ''): void {
    this.diagnostics.push({
      severity: code.startsWith('W_') ? 'warning' : 'error',
      code,
      file: this.file,
      line,
      column,
      path,
      message,
      hint: hint ?? infoFor(code).hint,
    });
  }

  get errorCount(): number {
    let n = 0;
    for (const d of this.diagnostics) if (d.severity === 'error') n++;
    return n;
  }

  private push(severity: Severity, code: ConfigCode, path: KeyPath, message: string, hint?: string): void {
    const pos = lookupPos(this.positions, path);
    this.diagnostics.push({
      severity,
      code,
      file: this.file,
      line: pos?.line ?? 0,
      column: pos?.column ?? 0,
      path: formatPath(path),
      message,
      hint: hint ?? infoFor(code).hint,
    });
  }
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** file:line:col: severity CODE path: message (hint) — one line, for terminals. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line > 0 ? `${d.file}:${d.line}:${d.column}` : d.file;
  const path = d.path === '' ? '' : ` [${d.path}]`;
  return `${where}: ${d.severity} ${d.code}${path}: ${d.message}\n    hint: ${d.hint}`;
}
