/**
 * TOML → plain value + key positions. toml-eslint-parser gives an AST with
 * locations (smol-toml gives none); we walk it once to record where each key
 * path sits, and take the value from its static evaluator.
 */
import { getStaticTOMLValue, parseTOML, type AST } from 'toml-eslint-parser';
import type { KeyPath, PositionMap, SourcePos } from './position.ts';
import { pathKey } from './position.ts';
import type { ParseResult } from './parsed.ts';

type Positions = Map<string, SourcePos>;

function posOf(loc: AST.SourceLocation): SourcePos {
  return { line: loc.start.line, column: loc.start.column + 1 };
}

function record(map: Positions, path: KeyPath, pos: SourcePos): void {
  const k = pathKey(path);
  if (!map.has(k)) map.set(k, pos);
}

function keyNames(key: AST.TOMLKey): string[] {
  return key.keys.map((k) => (k.type === 'TOMLBare' ? k.name : k.value));
}

function walkKeyValues(map: Positions, base: KeyPath, body: readonly AST.TOMLKeyValue[]): void {
  for (const kv of body) {
    const names = keyNames(kv.key);
    const path: PathLike = [...base];
    kv.key.keys.forEach((k, i) => {
      path.push(names[i] ?? '');
      record(map, path, posOf(k.loc));
    });
    walkContent(map, path, kv.value);
  }
}

type PathLike = (string | number)[];

function walkContent(map: Positions, path: KeyPath, node: AST.TOMLContentNode): void {
  if (node.type === 'TOMLInlineTable') walkKeyValues(map, path, node.body);
  else if (node.type === 'TOMLArray') {
    node.elements.forEach((el, i) => {
      const p = [...path, i];
      record(map, p, posOf(el.loc));
      walkContent(map, p, el);
    });
  }
}

function positionsOf(program: AST.TOMLProgram): PositionMap {
  const map: Positions = new Map();
  const top = program.body[0];
  for (const node of top.body) {
    if (node.type === 'TOMLKeyValue') {
      walkKeyValues(map, [], [node]);
      continue;
    }
    const resolved = node.resolvedKey;
    // Header segments: record each prefix at its header token.
    const names = keyNames(node.key);
    const prefix: PathLike = [];
    let r = 0;
    names.forEach((name, i) => {
      prefix.push(name);
      // resolvedKey interleaves array indices after array-table segments
      while (r < resolved.length && resolved[r] !== name) r++;
      const loc = node.key.keys[i]?.loc;
      const withIdx = resolved.slice(0, r + 1);
      if (loc !== undefined) record(map, withIdx, posOf(loc));
      if (typeof resolved[r + 1] === 'number' && (i < names.length - 1 || node.kind === 'array')) {
        if (loc !== undefined) record(map, resolved.slice(0, r + 2), posOf(loc));
      }
      r++;
    });
    walkKeyValues(map, resolved, node.body);
  }
  return map;
}

export function parseTomlSource(text: string): ParseResult {
  let program: AST.TOMLProgram;
  try {
    program = parseTOML(text);
  } catch (e: unknown) {
    const err = e as { message?: string; lineNumber?: number; column?: number };
    return {
      ok: false,
      message: err.message ?? String(e),
      line: err.lineNumber ?? 1,
      column: (err.column ?? 0) + 1,
    };
  }
  return { ok: true, value: getStaticTOMLValue(program), positions: positionsOf(program) };
}
