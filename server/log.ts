/**
 * The server log: one JSON object per line on stderr (journald keeps it).
 * Callers pass structured fields; bodies, env values and tokens are never
 * logged by construction (nothing logs a request body).
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

export function createLogger(opts: { level: LogLevel; write?: (line: string) => void; clock?: () => Date }): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const clock = opts.clock ?? (() => new Date());
  const min = ORDER[opts.level];
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (ORDER[level] < min) return;
    write(`${JSON.stringify({ t: clock().toISOString(), level, msg, ...fields }, errorReplacer)}\n`);
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return { name: value.name, message: value.message, ...(code === undefined ? {} : { code }), stack: value.stack };
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** A logger that keeps lines in memory (tests read them). */
export function memoryLogger(level: LogLevel = 'debug'): Logger & { readonly lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level, write: (l) => lines.push(JSON.parse(l) as Record<string, unknown>) });
  return Object.assign(log, { lines });
}
