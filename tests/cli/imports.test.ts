/** Dependency direction (DESIGN §2): the CLI and the shared upload contract never import server/ or rootd/. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'/g), ...text.matchAll(/import\('([^']+)'\)/g)].map((m) => m[1] as string);
}

test('no file under cli/ imports from server/ or rootd/', () => {
  for (const file of tsFiles(join(REPO, 'cli'))) {
    for (const spec of imports(file)) {
      if (!spec.startsWith('.')) continue;
      const target = relative(REPO, resolve(file, '..', spec));
      assert.ok(!target.startsWith('server/') && !target.startsWith('rootd/'), `${relative(REPO, file)} imports ${target}`);
    }
  }
});

test('shared-protocol/upload is pure: only its siblings and shared-protocol, no node: I/O modules', () => {
  for (const file of tsFiles(join(REPO, 'shared-protocol', 'upload'))) {
    for (const spec of imports(file)) {
      assert.ok(spec.startsWith('.'), `${relative(REPO, file)} imports ${spec}`);
      assert.ok(relative(REPO, resolve(file, '..', spec)).startsWith('shared-protocol/'), `${relative(REPO, file)} imports ${spec}`);
    }
  }
});
