/** YAML → plain value + key positions, from the yaml package's document ranges. */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { pathKey, type KeyPath, type SourcePos } from './position.ts';
import type { ParseResult } from './parsed.ts';

function walk(node: unknown, path: KeyPath, map: Map<string, SourcePos>, lc: LineCounter): void {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = pair.key;
      const name = isScalar(key) ? String(key.value) : String(key);
      const p = [...path, name];
      const range = (key as YamlNode | null)?.range;
      if (range !== undefined && range !== null) {
        const lp = lc.linePos(range[0]);
        map.set(pathKey(p), { line: lp.line, column: lp.col });
      }
      walk(pair.value, p, map, lc);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const p = [...path, i];
      const range = (item as YamlNode | null)?.range;
      if (range !== undefined && range !== null) {
        const lp = lc.linePos(range[0]);
        map.set(pathKey(p), { line: lp.line, column: lp.col });
      }
      walk(item, p, map, lc);
    });
  }
}

export function parseYamlSource(text: string): ParseResult {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const lp = first.linePos?.[0];
    return { ok: false, message: first.message, line: lp?.line ?? 1, column: lp?.col ?? 1 };
  }
  const map = new Map<string, SourcePos>();
  walk(doc.contents, [], map, lc);
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  return { ok: true, value: value ?? {}, positions: map };
}
