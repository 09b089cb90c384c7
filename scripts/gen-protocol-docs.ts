/** `npm run docs:protocol`: writes docs/rootd-protocol.md from the op registry. */
import { writeFileSync } from 'node:fs';
import { renderProtocolDoc } from './protocol-doc.ts';

const path = new URL('../docs/rootd-protocol.md', import.meta.url);
writeFileSync(path, renderProtocolDoc());
console.log(`wrote ${path.pathname}`);
