/**
 * The shell text a vassal runs for a process command. uWSGI runs a daemon as
 * `/bin/sh -c <text>`; prefixing a simple command with `exec` makes the app
 * replace the shell, so the pid uWSGI supervises is the app's and signals go
 * straight to it. Compound commands (`a && b`, pipes, `cd x; y`) keep the
 * shell: uWSGI signals the whole process group, so they still stop cleanly.
 */

/** First words after which `exec` would change the meaning or fail. */
const NOT_EXECABLE = new Set([
  'exec', 'if', 'for', 'while', 'until', 'case', 'function', 'select', '!', '{', '(', '[[',
  'cd', 'export', 'set', 'unset', 'source', '.', 'eval', 'trap', 'ulimit', 'umask', 'readonly', 'local', 'alias',
]);

/** True when `command` has a `;`, `&` (not in `>&`/`<&`) or `|` outside quotes: a list or a pipeline. */
export function isCompound(command: string): boolean {
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      continue;
    }
    if (c === '\\') {
      i++;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === ';' || c === '|') return true;
    else if (c === '&' && command[i - 1] !== '>' && command[i - 1] !== '<') return true;
  }
  return false;
}

const ASSIGNMENT_RE = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** The `/bin/sh -c` text for `command`: `exec <command>` when that is safe, else the command as is. */
export function daemonShellText(command: string): string {
  const trimmed = command.trim();
  if (trimmed === '' || isCompound(trimmed)) return trimmed;
  const first = trimmed.split(/\s+/, 1)[0] ?? '';
  if (NOT_EXECABLE.has(first) || first.startsWith('(')) return trimmed;
  // `FOO=1 node app.js`: `exec` would run "FOO=1"; env(1) sets it and execs the app
  if (ASSIGNMENT_RE.test(first)) return `exec /usr/bin/env ${trimmed}`;
  return `exec ${trimmed}`;
}
