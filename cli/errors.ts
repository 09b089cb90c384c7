/**
 * CliError: what every CLI failure becomes before it reaches main.ts — a
 * stable code, a message, an optional hint, and the exit code. Server errors
 * keep the server's {code, message, hint}.
 */
import { EXIT, exitForApiError, type ExitCode } from './exit-codes.ts';

export interface CliErrorOptions {
  readonly hint?: string | undefined;
  readonly exit?: ExitCode;
  /** HTTP status when the error came from the server. */
  readonly status?: number;
  readonly requestId?: string | undefined;
  readonly cause?: unknown;
}

export class CliError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly exit: ExitCode;
  readonly status: number | undefined;
  readonly requestId: string | undefined;

  constructor(code: string, message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'Hop3CliError';
    this.code = code;
    this.hint = options.hint;
    this.exit = options.exit ?? EXIT.UNEXPECTED;
    this.status = options.status;
    this.requestId = options.requestId;
  }

  toJSON(): { error: { code: string; message: string; hint?: string; request_id?: string }; exit: ExitCode } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.hint === undefined ? {} : { hint: this.hint }),
        ...(this.requestId === undefined ? {} : { request_id: this.requestId }),
      },
      exit: this.exit,
    };
  }
}

export function isCliError(e: unknown): e is CliError {
  return e instanceof CliError;
}

/** A usage error (exit 2). */
export function usageError(message: string, hint?: string): CliError {
  return new CliError('E_USAGE', message, { exit: EXIT.USAGE, hint });
}

/** A server error response, with the exit code chosen by exitForApiError. */
export function apiError(status: number, code: string, message: string, hint?: string, requestId?: string): CliError {
  return new CliError(code, message, { status, hint, requestId, exit: exitForApiError(status, code) });
}

/** The same error with another exit code. */
export function withExit(e: CliError, exit: ExitCode): CliError {
  if (e.exit === exit) return e;
  return new CliError(e.code, e.message, { exit, hint: e.hint, requestId: e.requestId, ...(e.status === undefined ? {} : { status: e.status }), cause: e });
}
