/**
 * Quoting for the two languages hop3.nix embeds: Nix string literals and
 * POSIX shell words. Every user-supplied text reaches the output through one
 * of these functions; only strictly validated tokens appear bare.
 */

/** A piece of a Nix string: literal text, or a trusted Nix antiquotation. */
export type Seg = string | { readonly nix: string };

/** Escapes text for the inside of a Nix double-quoted string. */
export function escapeNixString(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '$' && text[i + 1] === '{') out += '\\$';
    else if (ch === '\r') out += '\\r';
    else out += ch;
  }
  return out;
}

/** A Nix double-quoted string literal holding exactly `text`. */
export function nixStr(text: string): string {
  return `"${escapeNixString(text)}"`;
}

/**
 * A Nix string literal from segments. Literal text is escaped; `{nix}` parts
 * become antiquotations and must come from the generator, never from input.
 */
export function nixStrSegs(segs: readonly Seg[]): string {
  let out = '';
  let prevLiteralEndsWithDollar = false;
  for (const s of segs) {
    if (typeof s === 'string') {
      out += escapeNixString(s);
      prevLiteralEndsWithDollar = s.endsWith('$');
    } else {
      // "$" right before "${" would read as "$${" (a literal in Nix): escape it.
      if (prevLiteralEndsWithDollar) out = `${out.slice(0, -1)}\\$`;
      out += `\${${s.nix}}`;
      prevLiteralEndsWithDollar = false;
    }
  }
  return `"${out}"`;
}

/** A Nix list of string literals on one line. */
export function nixStrList(items: readonly string[]): string {
  return items.length === 0 ? '[ ]' : `[ ${items.map(nixStr).join(' ')} ]`;
}

/** A Nix attribute set of strings, keys quoted, one per line at `indent`. */
export function nixStrAttrs(attrs: Readonly<Record<string, string>>, indent: string): string {
  const entries = Object.entries(attrs);
  if (entries.length === 0) return '{ }';
  return `{\n${entries.map(([k, v]) => `${indent}  ${nixStr(k)} = ${nixStr(v)};`).join('\n')}\n${indent}}`;
}

/** A shell word in single quotes: no expansion at all. */
export function shSingle(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * A shell word in double quotes where $VAR, ${VAR:-x} and $(cmd) still
 * expand at startup (the documented semantics of wrapper values); `"`, `\`
 * and backquote are escaped so the value cannot end the word.
 */
export function shDoubleExpanding(text: string): string {
  return `"${text.replace(/["\\`]/g, (c) => `\\${c}`)}"`;
}

/** A shell word in double quotes with no expansion (for literal paths next to store paths). */
export function shDoubleLiteral(text: string): string {
  return `"${text.replace(/["\\`$]/g, (c) => `\\${c}`)}"`;
}
