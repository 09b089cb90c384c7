/**
 * Upload ignore patterns (ADR 046 §5): built-in defaults, extended by
 * [build].ignore, plus a leftover .hop3ignore for one transition release.
 */
import ignore from 'ignore';

export const DEFAULT_IGNORE: readonly string[] = [
  '.git/',
  'node_modules/',
  '.venv/',
  'venv/',
  '__pycache__/',
  '*.py[cod]',
  '.idea/',
  '.DS_Store',
  '.mypy_cache/',
  '.pytest_cache/',
  '.ruff_cache/',
  '*.egg-info/',
];

/** Patterns of a .hop3ignore file: gitignore syntax, comments and blank lines dropped. */
export function parseIgnoreFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
}

/** The effective upload filter: defaults, then [build].ignore, then .hop3ignore patterns. */
export function uploadFilter(patterns: readonly string[]): (relativePath: string) => boolean {
  const ig = ignore().add([...DEFAULT_IGNORE, ...patterns]);
  return (p) => ig.ignores(p);
}
