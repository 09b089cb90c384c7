/** `npm run docs:cli`: rewrite the generated blocks of docs/cli.md from the command tree and the exit codes. */
import { readFileSync, writeFileSync } from 'node:fs';
import { rootCommand } from '../tree.ts';
import { renderGenerated } from './render.ts';

const path = new URL('../../docs/cli.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = renderGenerated(before, rootCommand);
if (after !== before) writeFileSync(path, after);
process.stdout.write(after === before ? 'docs/cli.md is up to date\n' : 'docs/cli.md updated\n');
