/**
 * Newline splitter for rootd replies: works on bytes (a UTF-8 character split
 * across reads is never mangled), strict UTF-8 decoding, and a byte cap per
 * line after which the stream cannot be trusted (`overflow`).
 */
export interface LineSplitter {
  push(chunk: Buffer): { lines: string[]; overflow: boolean };
}

export function splitLines(maxBytes: number): LineSplitter {
  let parts: Buffer[] = [];
  let size = 0;
  let dead = false;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return {
    push(chunk) {
      const lines: string[] = [];
      if (dead) return { lines, overflow: true };
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        if (nl === -1) break;
        const piece = chunk.subarray(start, nl);
        if (size + piece.length > maxBytes) {
          dead = true;
          return { lines, overflow: true };
        }
        const bytes = parts.length === 0 ? piece : Buffer.concat([...parts, piece]);
        parts = [];
        size = 0;
        try {
          lines.push(decoder.decode(bytes));
        } catch {
          lines.push('\u0000not-utf8');
        }
        start = nl + 1;
      }
      const rest = chunk.subarray(start);
      if (rest.length > 0) {
        if (size + rest.length > maxBytes) {
          dead = true;
          return { lines, overflow: true };
        }
        parts.push(Buffer.from(rest));
        size += rest.length;
      }
      return { lines, overflow: false };
    },
  };
}
