/**
 * Redaction for the op log: by key name (password, secret, token, key material)
 * and by value (PEM blocks, hop3 API tokens, URLs with credentials).
 */
const SECRET_KEY_RE = /(pass(word|wd)?|secret|token|credential|private|api[_-]?key|^key$|_key$)/i;
const SECRET_VALUE_RES: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\bhop3_[A-Za-z0-9_-]{16,}/,
  /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i,
];
export const REDACTED = '[redacted]';

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return REDACTED;
  if (typeof value === 'string') return SECRET_VALUE_RES.some((re) => re.test(value)) ? REDACTED : value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY_RE.test(k) ? REDACTED : redact(v, depth + 1);
    return out;
  }
  return value;
}
