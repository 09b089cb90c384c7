/**
 * Output conventions: with --json, stdout carries exactly one JSON document
 * (the result, or {error, exit} on failure); otherwise stdout carries the
 * human result and stderr the progress and diagnostics.
 */
import type { CliError } from './errors.ts';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal: progress lines may be redrawn in place. */
  readonly errIsTTY: boolean;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  get errIsTTY() {
    return process.stderr.isTTY === true;
  },
};

/** Print the result: one JSON document, or the human rendering. */
export function emit(io: Io, json: boolean, doc: unknown, human: () => string): void {
  if (json) io.out(`${JSON.stringify(doc, null, 2)}\n`);
  else {
    const text = human();
    if (text !== '') io.out(text.endsWith('\n') ? text : `${text}\n`);
  }
}

/** How a failure is shown: stderr always; with --json also the error document on stdout. */
export function reportError(io: Io, json: boolean, e: CliError): void {
  io.err(`hop3: ${e.code}: ${e.message}\n`);
  if (e.hint !== undefined) io.err(`  hint: ${e.hint}\n`);
  if (e.requestId !== undefined) io.err(`  request id: ${e.requestId}\n`);
  if (json) io.out(`${JSON.stringify(e.toJSON(), null, 2)}\n`);
}

/** Strip terminal escapes from text that came from elsewhere (names, server messages), keeping newlines and tabs. */
export function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, '');
}
