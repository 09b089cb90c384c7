/** Addon name and type checks, and the `<NAME>_` env prefix. */
import { ADDON_NAME_RE, ADDON_TYPE_NAMES } from '../../shared-protocol/api/addons.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { ADDON_NAME_PATTERN, ADDON_TYPES, type AddonType } from './backend.ts';

const NAME = new RegExp(ADDON_NAME_PATTERN);
if (ADDON_NAME_RE !== ADDON_NAME_PATTERN || ADDON_TYPE_NAMES.join() !== ADDON_TYPES.join()) throw new Error('addon name/type lists disagree');

/** Never echoes the refused value (it may be 1,000 characters of anything). */
export function checkAddonName(name: string): string {
  if (!NAME.test(name)) {
    throw new Hop3Error('E_INVALID_ADDON_NAME', `invalid addon name (${name.length} chars): use ${ADDON_NAME_PATTERN}`, {
      hint: 'Use 1-63 chars: lowercase letters, digits and dashes, starting with a letter (e.g. my-cache).',
    });
  }
  return name;
}

export function checkAddonType(type: string): AddonType {
  const t = ADDON_TYPES.find((x) => x === type);
  if (t === undefined) {
    throw new Hop3Error('E_ADDON_TYPE_UNKNOWN', `unknown addon type (known: ${ADDON_TYPES.join(', ')})`, { hint: 'See `hop3 addon types`.' });
  }
  return t;
}

/** "my-cache" → "MY_CACHE_". */
export function envPrefix(name: string): string {
  return `${name.toUpperCase().replace(/-/g, '_')}_`;
}
