/**
 * Splits a byte stream into newline-terminated lines of at most `maxBytes`
 * bytes (the newline excluded). Works on bytes, not strings, so a multi-byte
 * UTF-8 character split across two reads is never mangled, and decoding (with
 * a strict decoder) is the caller's job.
 *
 * Once a line is over the limit the stream cannot be resynchronized (the rest
 * of the line may contain anything), so the reader reports `overflow` once and
 * then ignores every further byte.
 */
export type LineEvent = { readonly kind: 'line'; readonly bytes: Buffer } | { readonly kind: 'overflow' };

export class LineReader {
  private parts: Buffer[] = [];
  private size = 0;
  private dead = false;

  constructor(private readonly maxBytes: number) {}

  /** Feed one chunk; returns the events it completes, in order. */
  push(chunk: Buffer): LineEvent[] {
    if (this.dead) return [];
    const out: LineEvent[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      if (this.size + piece.length > this.maxBytes) return this.overflow(out);
      const bytes = this.parts.length === 0 ? Buffer.from(piece) : Buffer.concat([...this.parts, piece]);
      this.parts = [];
      this.size = 0;
      out.push({ kind: 'line', bytes });
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (rest.length > 0) {
      if (this.size + rest.length > this.maxBytes) return this.overflow(out);
      this.parts.push(Buffer.from(rest));
      this.size += rest.length;
    }
    return out;
  }

  /** At end of input: an unterminated last line is still a line. */
  end(): LineEvent[] {
    if (this.dead || this.size === 0) return [];
    const bytes = Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    return [{ kind: 'line', bytes }];
  }

  /** Bytes held for the current, unterminated line. */
  get buffered(): number {
    return this.size;
  }

  private overflow(out: LineEvent[]): LineEvent[] {
    this.dead = true;
    this.parts = [];
    this.size = 0;
    out.push({ kind: 'overflow' });
    return out;
  }
}
