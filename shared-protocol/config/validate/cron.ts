/** 5-field cron (minute hour day-of-month month day-of-week), evaluated in UTC. */
import { CronExpressionParser } from 'cron-parser';

/** null when valid, else the reason. */
export function cronProblem(expr: string): string | null {
  const fields = expr.trim().split(/\s+/);
  if (expr.trim().startsWith('@')) return 'macros such as @daily are not accepted; write the 5 fields';
  if (fields.length !== 5) return `expected 5 fields (minute hour day month weekday), got ${fields.length}`;
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' });
    return null;
  } catch (e: unknown) {
    return e instanceof Error ? e.message : String(e);
  }
}
