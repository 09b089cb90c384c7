/**
 * RFC 1123 host names as Hop3 accepts them for app domains: lowercase ASCII
 * labels of letters, digits and dashes (no leading/trailing dash), 1-63 chars
 * each, 253 in total, no trailing dot, no wildcard, not an IP address.
 * Pure, so the CLI can check before sending; the server checks again.
 */
export type HostnameProblem =
  | 'empty'
  | 'too_long'
  | 'uppercase'
  | 'non_ascii'
  | 'wildcard'
  | 'trailing_dot'
  | 'empty_label'
  | 'label_too_long'
  | 'bad_character'
  | 'dash_at_edge'
  | 'ip_address';

const PROBLEM_TEXT: Record<HostnameProblem, string> = {
  empty: 'is empty',
  too_long: 'is longer than 253 characters',
  uppercase: 'has uppercase letters (host names are lowercase here)',
  non_ascii: 'has non-ASCII characters (write IDNs in punycode, xn--...)',
  wildcard: 'is a wildcard (not supported)',
  trailing_dot: 'ends with a dot',
  empty_label: 'has an empty label ("..", or a leading dot)',
  label_too_long: 'has a label longer than 63 characters',
  bad_character: 'has a character other than a-z, 0-9, "-" and "."',
  dash_at_edge: 'has a label that starts or ends with "-"',
  ip_address: 'is an IP address, not a host name',
};

const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Returns the first problem found, or null for a valid host name. */
export function hostnameProblem(name: string): HostnameProblem | null {
  if (name.length === 0) return 'empty';
  if (name.length > 253) return 'too_long';
  if (/[^\x20-\x7e]/.test(name)) return 'non_ascii';
  if (name.includes('*')) return 'wildcard';
  if (/[A-Z]/.test(name)) return 'uppercase';
  if (name.endsWith('.')) return 'trailing_dot';
  if (/^[0-9.]+$/.test(name) || name.includes(':')) return name.includes(':') ? 'bad_character' : 'ip_address';
  for (const label of name.split('.')) {
    if (label.length === 0) return 'empty_label';
    if (label.length > 63) return 'label_too_long';
    if (/[^a-z0-9-]/.test(label)) return 'bad_character';
    if (!LABEL_RE.test(label)) return 'dash_at_edge';
  }
  return null;
}

/** A message for E_INVALID_HOSTNAME. The name is quoted as JSON (no control characters reach logs). */
export function describeHostnameProblem(name: string, problem: HostnameProblem): string {
  return `hostname ${JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name)} ${PROBLEM_TEXT[problem]}`;
}
