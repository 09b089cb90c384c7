/**
 * Source positions: every parser (TOML, YAML, JSON, Procfile) records the
 * 1-based line and column of each key path, so a diagnostic can point at it.
 */

export interface SourcePos {
  /** 1-based */
  readonly line: number;
  /** 1-based */
  readonly column: number;
}

export type PathSeg = string | number;
export type KeyPath = readonly PathSeg[];

/** Key path → position of the key (or of the array element). */
export type PositionMap = ReadonlyMap<string, SourcePos>;

const SEP = '\u001f';

export function pathKey(path: KeyPath): string {
  return path.join(SEP);
}

/** The position of `path`, or of its nearest recorded ancestor. */
export function lookupPos(positions: PositionMap, path: KeyPath): SourcePos | undefined {
  for (let n = path.length; n >= 0; n--) {
    const hit = positions.get(pathKey(path.slice(0, n)));
    if (hit !== undefined) return hit;
  }
  return undefined;
}

const BARE = /^[A-Za-z0-9_-]+$/;

/** Human form of a key path: volumes[0].backup.include, env."weird.key". */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const part = BARE.test(seg) ? seg : JSON.stringify(seg);
      out += out === '' ? part : `.${part}`;
    }
  }
  return out;
}

/** Offset → 1-based line/column, with a precomputed line-start table. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  pos(offset: number): SourcePos {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }
}
