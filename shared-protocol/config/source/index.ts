import { parseJsonSource } from './json.ts';
import type { ConfigFormat, ParseResult } from './parsed.ts';
import { parseTomlSource } from './toml.ts';
import { parseYamlSource } from './yaml.ts';

export type { ConfigFormat, ParseResult } from './parsed.ts';

/** Parse a config file's text in its syntax; all three give the same plain shape. */
export function parseSource(text: string, format: ConfigFormat): ParseResult {
  switch (format) {
    case 'toml':
      return parseTomlSource(text);
    case 'yaml':
      return parseYamlSource(text);
    case 'json':
      return parseJsonSource(text);
  }
}

export function formatOf(fileName: string): ConfigFormat | undefined {
  if (fileName.endsWith('.toml')) return 'toml';
  if (fileName.endsWith('.yaml') || fileName.endsWith('.yml')) return 'yaml';
  if (fileName.endsWith('.json')) return 'json';
  return undefined;
}
