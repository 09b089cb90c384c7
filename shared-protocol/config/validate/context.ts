import type { Reporter } from '../diagnostics.ts';

/** Inputs the pure validator needs from its caller (never read from process.env here). */
export interface ValidateOptions {
  /** HOP3_EXTRA_PG_EXTENSIONS, already split: extra PostgreSQL extensions this install allows. */
  readonly extraPgExtensions?: readonly string[];
}

export interface Ctx {
  readonly rep: Reporter;
  readonly options: ValidateOptions;
}
