/** `npm run docs:server`: rewrite the generated tables of docs/server.md. */
import { readFileSync, writeFileSync } from 'node:fs';
import { renderGenerated } from './tables.ts';

const path = new URL('../../docs/server.md', import.meta.url);
const before = readFileSync(path, 'utf8');
const after = renderGenerated(before);
if (after !== before) writeFileSync(path, after);
process.stdout.write(after === before ? 'docs/server.md is up to date\n' : 'docs/server.md updated\n');
