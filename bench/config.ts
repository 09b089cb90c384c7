/**
 * bench:config — validate a realistic hop3.toml with every section
 * (parse + position map + structural and semantic validation), after a
 * warm-up; reports the median and p99 per file, and a floor (the bare TOML
 * parse with smol-toml) measured in the same run. --json: the last line is
 * {"bench":"config","figures":{"validate_ms":{"value":..,"unit":"ms"}, ...}}.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { validateConfigText } from '../shared-protocol/config/index.ts';

const FILE = join(import.meta.dirname, '../tests/fixtures/config/bench/full.toml');
const text = readFileSync(FILE, 'utf8');
const WARMUP = 300;
const RUNS = 2000;

function measure(fn: () => void): number[] {
  for (let i = 0; i < WARMUP; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

function pct(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
}

const check = validateConfigText(text, 'hop3.toml');
if (check.config === null) throw new Error(`bench fixture is invalid: ${JSON.stringify(check.diagnostics)}`);

const validate = measure(() => validateConfigText(text, 'hop3.toml'));
const floor = measure(() => parseToml(text));
const r = (n: number): number => Math.round(n * 1000) / 1000;

const figures = {
  validate_ms: { value: r(pct(validate, 0.5)), unit: 'ms' },
  validate_p99_ms: { value: r(pct(validate, 0.99)), unit: 'ms' },
  toml_parse_floor_ms: { value: r(pct(floor, 0.5)), unit: 'ms' },
};
console.log(`config validate (${text.length} bytes, every section): median ${figures.validate_ms.value} ms, p99 ${figures.validate_p99_ms.value} ms (target <= 2 ms)`);
console.log(`floor, smol-toml parse only: median ${figures.toml_parse_floor_ms.value} ms`);
if (process.argv.includes('--json')) console.log(JSON.stringify({ bench: 'config', figures }));
