/** JSON → plain value + key positions, from jsonc-parser's offset tree (strict: no comments, no trailing commas). */
import { getNodeValue, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { LineIndex, pathKey, type KeyPath, type SourcePos } from './position.ts';
import type { ParseResult } from './parsed.ts';

interface Dup {
  readonly offset: number;
  readonly key: string;
}

function walk(node: Node, path: KeyPath, map: Map<string, SourcePos>, idx: LineIndex, dups: Dup[]): void {
  if (node.type === 'object') {
    const seen = new Set<string>();
    for (const prop of node.children ?? []) {
      const [k, v] = prop.children ?? [];
      if (k === undefined) continue;
      const name = String(k.value);
      if (seen.has(name)) dups.push({ offset: k.offset, key: name });
      seen.add(name);
      const p = [...path, name];
      map.set(pathKey(p), idx.pos(k.offset));
      if (v !== undefined) walk(v, p, map, idx, dups);
    }
  } else if (node.type === 'array') {
    (node.children ?? []).forEach((child, i) => {
      const p = [...path, i];
      map.set(pathKey(p), idx.pos(child.offset));
      walk(child, p, map, idx, dups);
    });
  }
}

export function parseJsonSource(text: string): ParseResult {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const idx = new LineIndex(text);
  const first = errors[0];
  if (first !== undefined || tree === undefined) {
    const pos = idx.pos(first?.offset ?? 0);
    const what = first === undefined ? 'empty document' : printParseErrorCode(first.error);
    return { ok: false, message: `invalid JSON: ${what}`, ...pos };
  }
  const map = new Map<string, SourcePos>();
  const dups: Dup[] = [];
  walk(tree, [], map, idx, dups);
  const dup = dups[0];
  if (dup !== undefined) {
    return { ok: false, message: `key "${dup.key}" is defined more than once`, ...idx.pos(dup.offset) };
  }
  return { ok: true, value: getNodeValue(tree) as unknown, positions: map };
}
