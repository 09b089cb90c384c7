/** docs/cli.md: its command reference and exit-code table are the ones the code generates. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCommands, renderGenerated } from '../../cli/docs/render.ts';
import { subCommandsOf } from '../../cli/dispatch.ts';
import { rootCommand } from '../../cli/tree.ts';

const DOC = join(import.meta.dirname, '..', '..', 'docs', 'cli.md');

test('docs/cli.md is fresh (regenerate with npm run docs:cli)', () => {
  const text = readFileSync(DOC, 'utf8');
  assert.equal(renderGenerated(text, rootCommand), text, 'docs/cli.md is stale: run `npm run docs:cli`');
});

test('the reference has a section for every command and sub-command of the tree', () => {
  const md = renderCommands(rootCommand);
  const walk = (path: string[], cmd: typeof rootCommand): void => {
    for (const [name, sub] of Object.entries(subCommandsOf(cmd))) {
      assert.match(md, new RegExp(`^### hop3 ${[...path, name].join(' ')}$`, 'm'));
      walk([...path, name], sub);
    }
  };
  walk([], rootCommand);
});
