/**
 * Regenerates the tables of docs/hop3-toml.md that mirror code: the config
 * error/warning codes, the Nix templates' required fields and the PostgreSQL
 * extension policy. `--check` exits 1 when the file is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONFIG_ERRORS, CONFIG_WARNINGS, DEFAULT_IGNORE, DEFAULT_PG_EXTENSIONS, DENIED_PG_EXTENSIONS, NIX_REQUIRED,
} from '../shared-protocol/config/index.ts';

const DOC = join(import.meta.dirname, '../docs/hop3-toml.md');

function cell(s: string): string {
  return s.replaceAll('|', '\\|');
}

function codesTable(): string {
  const rows = [
    ...Object.entries(CONFIG_ERRORS).map(([code, i]) => `| \`${code}\` | error | ${cell(i.meaning)} | ${cell(i.hint)} |`),
    ...Object.entries(CONFIG_WARNINGS).map(([code, i]) => `| \`${code}\` | warning | ${cell(i.meaning)} | ${cell(i.hint)} |`),
  ];
  return ['| Code | Severity | Meaning | Hint |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function nixTable(): string {
  const rows = Object.entries(NIX_REQUIRED).map(([t, f]) => `| \`${t}\` | ${f.length === 0 ? '(none)' : f.map((x) => `\`${x}\``).join(', ')} |`);
  return ['| Template | Required fields besides `template` |', '| --- | --- |', ...rows].join('\n');
}

function pgList(): string {
  const list = (s: ReadonlySet<string>) => [...s].sort().map((x) => `\`${x}\``).join(', ');
  return `- Default allow-list: ${list(DEFAULT_PG_EXTENSIONS)}.\n- Hard-deny set (no override enables them): ${list(DENIED_PG_EXTENSIONS)}.`;
}

function ignoreList(): string {
  return DEFAULT_IGNORE.map((p) => `\`${p}\``).join(', ');
}

const BLOCKS: Record<string, () => string> = {
  'config-codes': codesTable,
  'nix-templates': nixTable,
  'pg-extensions': pgList,
  'ignore-defaults': ignoreList,
};

export function render(doc: string): string {
  let out = doc;
  for (const [name, gen] of Object.entries(BLOCKS)) {
    const re = new RegExp(`(<!-- BEGIN GENERATED: ${name} -->\\n)(?:[\\s\\S]*?\\n)?(<!-- END GENERATED: ${name} -->)`);
    if (!re.test(out)) throw new Error(`docs/hop3-toml.md lacks the ${name} markers`);
    out = out.replace(re, (_m, a: string, b: string) => `${a}${gen()}\n${b}`);
  }
  return out;
}

const current = readFileSync(DOC, 'utf8');
const next = render(current);
if (process.argv.includes('--check')) {
  if (next !== current) {
    console.error('docs/hop3-toml.md is stale: run npm run docs:config');
    process.exitCode = 1;
  }
} else if (next !== current) {
  writeFileSync(DOC, next);
  console.log('docs/hop3-toml.md updated');
} else console.log('docs/hop3-toml.md is up to date');
