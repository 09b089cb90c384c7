/** Arguments every server command shares, and the helpers that turn them into a client and an app name. */
import { ApiClient } from './client.ts';
import { resolveAppName, type ResolvedApp } from './app-resolve.ts';
import { resolveConnection } from './credentials.ts';
import { usageError } from './errors.ts';

export const jsonArg = { json: { type: 'boolean', default: false, description: 'print one JSON document on stdout' } } as const;
export const appArg = {
  app: { type: 'string', alias: 'a', description: 'app name (default: $HOP3_APP, then [metadata].id of ./hop3.toml)', valueHint: 'name' },
} as const;

export const VERSION = '0.1.0';

/** A client for the configured server (environment first, then the credentials file). */
export function connect(env: NodeJS.ProcessEnv = process.env): ApiClient {
  const c = resolveConnection(env);
  return new ApiClient({ server: c.server, token: c.token, userAgent: `hop3-cli/${VERSION}` });
}

/** The app to act on: --app, $HOP3_APP, or [metadata].id in the current directory. */
export function appFrom(args: { app?: string | undefined }, dir: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): ResolvedApp {
  return resolveAppName({ flag: args.app, env, dir });
}

/** A string flag as a positive integer, or a usage error naming it. */
export function positiveInt(value: string | undefined, flag: string, max = 1_000_000): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > max) throw usageError(`${flag} must be an integer from 1 to ${max}, got ${JSON.stringify(value)}`);
  return Number(value);
}

/**
 * Every value of a repeatable flag (`--env A=1 --env B=2`, `--env=A=1`, `-e A=1`):
 * citty keeps only the last one, so read them from the raw arguments.
 */
export function repeated(rawArgs: readonly string[], names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const tok = rawArgs[i] as string;
    if (tok === '--') break;
    for (const n of names) {
      const flag = n.length === 1 ? `-${n}` : `--${n}`;
      if (tok === flag) {
        const v = rawArgs[i + 1];
        if (v === undefined) throw usageError(`${flag} needs a value`);
        out.push(v);
        i++;
      } else if (tok.startsWith(`${flag}=`)) out.push(tok.slice(flag.length + 1));
    }
  }
  return out;
}

/** K=V pairs (the value may contain "="); a usage error for anything else. */
export function parseAssignments(items: readonly string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw usageError(`${what} must be KEY=VALUE, got ${JSON.stringify(item)}`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}
