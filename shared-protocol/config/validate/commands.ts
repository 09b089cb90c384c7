/** Commands: a string, or an array of strings joined with " && ". */
import type { KeyPath } from '../source/position.ts';
import type { Reporter } from '../diagnostics.ts';

export const COMMAND_JOINER = ' && ';

export function joinCommand(value: string | readonly string[] | undefined, path: KeyPath, rep: Reporter): string | null {
  if (value === undefined) return null;
  if (typeof value === 'string') {
    if (value.trim() === '') {
      rep.error('E_CONFIG_EMPTY_COMMAND', path, 'the command is empty');
      return null;
    }
    return value;
  }
  if (value.length === 0) {
    rep.error('E_CONFIG_EMPTY_COMMAND', path, 'the command list is empty');
    return null;
  }
  let ok = true;
  value.forEach((part, i) => {
    if (part.trim() === '') {
      rep.error('E_CONFIG_EMPTY_COMMAND', [...path, i], 'this command in the list is empty');
      ok = false;
    }
  });
  return ok ? value.join(COMMAND_JOINER) : null;
}
