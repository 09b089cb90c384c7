/**
 * The tables of docs/server.md that mirror code (settings, routes, error
 * codes), generated from the config schema, the route table and the error
 * catalogs; `npm run docs:server` rewrites them, a test checks they are fresh.
 */
import type { TSchema } from '@sinclair/typebox';
import { API_ERRORS } from '../../shared-protocol/api/errors.ts';
import { API_ROUTES } from '../../shared-protocol/api/index.ts';
import { DEFAULT_CONFIG, ENV_OVERRIDES, ServerConfigSchema } from '../config.ts';
import { SERVER_ERRORS } from '../error-codes.ts';
import { STATUS_BY_CODE } from '../errors.ts';

const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

function lookup(path: readonly string[]): { schema: TSchema | undefined; value: unknown } {
  let schema: TSchema | undefined = ServerConfigSchema;
  let value: unknown = DEFAULT_CONFIG;
  for (const key of path) {
    schema = (schema?.['properties'] as Record<string, TSchema> | undefined)?.[key];
    value = (value as Record<string, unknown> | undefined)?.[key];
  }
  return { schema, value };
}

export function settingsTable(): string {
  const rows = Object.entries(ENV_OVERRIDES).map(([env, [path]]) => {
    const { value } = lookup(path);
    return [`\`${path.join('.')}\``, `\`${env}\``, `\`${JSON.stringify(value)}\``];
  });
  return table(['setting (JSON file)', 'environment variable', 'default'], rows);
}

export function routesTable(): string {
  return table(
    ['method', 'path', 'token', 'summary'],
    API_ROUTES.map((r) => [r.method, `\`${r.path}\``, r.auth ? 'yes' : 'no', r.summary]),
  );
}

export function apiErrorsTable(): string {
  return table(
    ['code', 'status', 'meaning', 'hint'],
    Object.entries(API_ERRORS).map(([code, info]) => [`\`${code}\``, String(STATUS_BY_CODE[code as keyof typeof STATUS_BY_CODE]), info.meaning, info.hint]),
  );
}

export function serverErrorsTable(): string {
  return table(['code', 'meaning', 'hint'], Object.entries(SERVER_ERRORS).map(([code, info]) => [`\`${code}\``, info.meaning, info.hint]));
}

export const GENERATED_TABLES: Readonly<Record<string, () => string>> = {
  settings: settingsTable,
  routes: routesTable,
  'api-errors': apiErrorsTable,
  'server-errors': serverErrorsTable,
};

/** Replace every `<!-- generated:NAME -->...<!-- /generated:NAME -->` block with the fresh table. */
export function renderGenerated(markdown: string): string {
  let out = markdown;
  for (const [name, make] of Object.entries(GENERATED_TABLES)) {
    const re = new RegExp(`(<!-- generated:${name} -->\\n)[\\s\\S]*?(\\n<!-- /generated:${name} -->)`);
    if (!re.test(out)) throw new Error(`docs/server.md lacks the generated:${name} block`);
    out = out.replace(re, (_m, open: string, close: string) => `${open}${make()}${close}`);
  }
  return out;
}
