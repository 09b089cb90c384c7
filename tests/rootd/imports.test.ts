import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');
const ALLOWED_DIRS = ['rootd', 'shared-protocol'].map((d) => join(REPO, d) + '/');
/** The SO_PEERCRED addon is rootd's own native code (rootd/native/), built into build/Release. */
const ALLOWED_NATIVE = [join(REPO, 'build/Release/peercred.node')];

const SPEC_RE = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;(=])import\s*\(\s*['"]([^'"]+)['"]\s*\)|(?:^|[\s;])import\s*['"]([^'"]+)['"]|require\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;

export function specifiers(source: string): string[] {
  const out: string[] = [];
  for (const m of source.matchAll(SPEC_RE)) {
    const s = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (s) out.push(s);
  }
  return out;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return walk(p);
    return /\.(ts|mts|js|mjs)$/.test(name) ? [p] : [];
  });
}

/** Every module reachable from rootd/ (transitively through relative imports). */
function violations(): string[] {
  const bad: string[] = [];
  const seen = new Set<string>();
  const queue = walk(join(REPO, 'rootd'));
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('node:') || spec === '@sinclair/typebox' || spec.startsWith('@sinclair/typebox/')) continue;
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (ALLOWED_NATIVE.includes(target)) continue;
        if (!ALLOWED_DIRS.some((d) => target.startsWith(d))) bad.push(`${relative(REPO, file)} → ${spec}`);
        else if (/\.(ts|mts|js|mjs)$/.test(target)) queue.push(target);
        continue;
      }
      bad.push(`${relative(REPO, file)} → ${spec}`);
    }
  }
  return bad;
}

test('rootd imports only node: built-ins, @sinclair/typebox and its own and shared-protocol modules', () => {
  assert.deepEqual(violations(), []);
});

test('the import scanner sees static, side-effect, dynamic and require imports', () => {
  const src = [
    "import { x } from 'execa';",
    "import 'left-pad';",
    "const m = await import('lodash');",
    "export { y } from '../server/app.ts';",
    "const r = require('fs-extra');",
    "import type { T } from '@sinclair/typebox';",
  ].join('\n');
  assert.deepEqual(specifiers(src), ['execa', 'left-pad', 'lodash', '../server/app.ts', 'fs-extra', '@sinclair/typebox']);
});
