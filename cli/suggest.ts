/** Did-you-mean: the closest names by edit distance (Damerau: a swap of two neighbours costs 1). */

export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => d[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = v;
    }
  }
  return at(a.length, b.length);
}

/**
 * Candidates close enough to `input` to be what was meant, best first: within
 * a third of the longer name (at least 1, at most 3), or sharing a prefix of
 * three or more characters.
 */
export function suggest(input: string, candidates: Iterable<string>): string[] {
  const low = input.toLowerCase();
  const scored: Array<[string, number]> = [];
  for (const c of new Set(candidates)) {
    const dist = editDistance(low, c.toLowerCase());
    const limit = Math.min(3, Math.max(1, Math.floor(Math.max(low.length, c.length) / 3)));
    const prefix = low.length >= 3 && c.toLowerCase().startsWith(low);
    if (dist <= limit || prefix) scored.push([c, prefix ? Math.min(dist, 1) : dist]);
  }
  scored.sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1));
  return scored.map(([c]) => c);
}

/** ` Did you mean "x"?` or ` Did you mean "x" or "y"?`, or empty. */
export function didYouMean(input: string, candidates: Iterable<string>, prefix = ''): string {
  const s = suggest(input, candidates).slice(0, 2);
  if (s.length === 0) return '';
  return ` Did you mean ${s.map((x) => `"${prefix}${x}"`).join(' or ')}?`;
}
