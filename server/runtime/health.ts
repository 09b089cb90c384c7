/**
 * Health check: HTTP GET on the app's health path over loopback until it
 * answers 2xx/3xx. 503 means "not ready yet" and is retried like a refused
 * connection; any other 5xx fails at once, and so does a crash loop (the
 * caller's `check` throws).
 */
import { request } from 'node:http';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import type { Clock } from './clock.ts';

export type ProbeResult =
  | { readonly kind: 'status'; readonly status: number; readonly body: string }
  | { readonly kind: 'error'; readonly message: string };

/** One GET; never throws. The body is cut to 200 characters for messages. */
export function probe(port: number, path: string, timeoutMs: number, host = 'localhost'): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', headers: { Host: host, 'User-Agent': 'hop3-healthcheck' }, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 200) body += chunk;
      });
      res.on('end', () => resolve({ kind: 'status', status: res.statusCode ?? 0, body: body.slice(0, 200) }));
      res.on('error', (e) => resolve({ kind: 'error', message: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ kind: 'error', message: (e as NodeJS.ErrnoException).code ?? e.message }));
    req.end();
  });
}

export interface HealthOptions {
  readonly port: number;
  /** default "/" */
  readonly path?: string;
  readonly host?: string;
  /** overall deadline ([run].start-timeout) */
  readonly timeoutMs: number;
  /** per request ([healthcheck].timeout), default 5000 */
  readonly requestTimeoutMs?: number;
  /** pause between attempts, default 100 */
  readonly intervalMs?: number;
  /** called between attempts; throws to abort (crash loop) */
  readonly check?: () => Promise<void>;
  readonly clock: Clock;
}

export interface HealthResult {
  readonly status: number;
  readonly attempts: number;
  readonly elapsedMs: number;
}

export async function waitHealthy(opts: HealthOptions): Promise<HealthResult> {
  const path = opts.path ?? '/';
  const started = opts.clock.now();
  const deadline = started + opts.timeoutMs;
  let attempts = 0;
  let last = 'no attempt';
  for (;;) {
    if (opts.check !== undefined) await opts.check();
    const left = deadline - opts.clock.now();
    if (left <= 0) break;
    attempts++;
    const result = await probe(opts.port, path, Math.max(1, Math.min(opts.requestTimeoutMs ?? 5000, left)), opts.host);
    if (result.kind === 'status') {
      if (result.status >= 200 && result.status < 400) {
        return { status: result.status, attempts, elapsedMs: opts.clock.now() - started };
      }
      if (result.status >= 500 && result.status !== 503) {
        throw new Hop3Error('E_HEALTHCHECK_FAILED', `GET ${path} on port ${opts.port} answered ${result.status}${result.body === '' ? '' : `: ${result.body.trim()}`}`, {
          details: { status: result.status, path, port: opts.port },
        });
      }
      last = `answered ${result.status}`;
    } else {
      last = result.message;
    }
    await opts.clock.sleep(opts.intervalMs ?? 100);
  }
  throw new Hop3Error('E_RUNTIME_START_TIMEOUT', `GET ${path} on port ${opts.port} did not succeed within ${Math.round(opts.timeoutMs / 1000)} s (last: ${last})`, {
    details: { path, port: opts.port, attempts },
  });
}
