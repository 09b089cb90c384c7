/**
 * Server-sent events, both ends, pure: the server formats events with
 * formatSseEvent; the CLI feeds response chunks to SseParser. Deploy logs use
 * event names `log` (a line of output), `step` (a pipeline step with its
 * duration) and `end` (the outcome), chosen by the deploy work.
 */

export interface SseEvent {
  /** Event name; absent means the default `message`. */
  readonly event?: string;
  /** Payload; strings are sent as they are, anything else as JSON. */
  readonly data: string;
  /** Last-Event-ID for resumption. */
  readonly id?: string;
  /** Reconnection delay hint for the client, in ms. */
  readonly retry?: number;
}

const FIELD_RE = /[\r\n]/;

/** One event as wire text, ending with the blank line. Multi-line data becomes several data: lines. */
export function formatSseEvent(ev: SseEvent): string {
  let out = '';
  if (ev.event !== undefined) {
    if (FIELD_RE.test(ev.event)) throw new Error('SSE event name must not contain a line break');
    out += `event: ${ev.event}\n`;
  }
  if (ev.id !== undefined) {
    if (FIELD_RE.test(ev.id) || ev.id.includes('\0')) throw new Error('SSE id must not contain a line break or NUL');
    out += `id: ${ev.id}\n`;
  }
  if (ev.retry !== undefined) {
    if (!Number.isInteger(ev.retry) || ev.retry < 0) throw new Error('SSE retry must be a non-negative integer');
    out += `retry: ${ev.retry}\n`;
  }
  for (const line of ev.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line: keeps proxies from closing an idle stream. */
export const SSE_HEARTBEAT = ': keep-alive\n\n';

export interface ParsedSseEvent {
  event: string;
  data: string;
  id: string | undefined;
  retry: number | undefined;
}

/** Incremental parser (WHATWG EventSource rules); feed text chunks, get whole events. */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | undefined;
  private retry: number | undefined;

  push(chunk: string): ParsedSseEvent[] {
    this.buffer += chunk;
    const out: ParsedSseEvent[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.buffer);
      if (m === null) break;
      // A lone \r at the end of the buffer may be the first half of \r\n: wait for more.
      if (m[0] === '\r' && m.index === this.buffer.length - 1) break;
      const line = this.buffer.slice(0, m.index);
      this.buffer = this.buffer.slice(m.index + m[0].length);
      const ev = this.line(line);
      if (ev !== null) out.push(ev);
    }
    return out;
  }

  private line(line: string): ParsedSseEvent | null {
    if (line === '') {
      if (this.data.length === 0) {
        // Spec: an event without data lines is not dispatched (id and retry still apply).
        this.event = '';
        return null;
      }
      const ev: ParsedSseEvent = { event: this.event || 'message', data: this.data.join('\n'), id: this.id, retry: this.retry };
      this.event = '';
      this.data = [];
      this.retry = undefined;
      return ev;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value);
    return null;
  }
}
