/**
 * Dispatch: one request line in, one reply line out. Closed op table, TypeBox
 * Check (compiled, no coercion), typed errors; every request, accepted or
 * refused, is written to the op log with the peer's uid/pid.
 */
import { randomUUID } from 'node:crypto';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { Hop3Error, isHop3Error } from '../shared-protocol/errors.ts';
import { MAX_LINE_BYTES, PROTOCOL_VERSION, RequestEnvelope, type ReplyEnvelope } from '../shared-protocol/ops/envelope.ts';
import { ALL_OPS, buildOpTable } from '../shared-protocol/ops/index.ts';
import type { OpDef } from '../shared-protocol/ops/define.ts';
import type { HealthTracker } from './health.ts';
import type { OpLogEntry } from './oplog.ts';
import type { HandlerTable, PeerInfo } from './ops/types.ts';

export interface OpLogSink {
  append(entry: OpLogEntry): Promise<void>;
}

export interface DispatcherDeps {
  readonly handlers: HandlerTable;
  readonly oplog: OpLogSink;
  readonly health: HealthTracker;
  /** Where unexpected errors go (details never reach the caller). */
  readonly logInternal?: (requestId: string, err: unknown) => void;
}

interface CompiledOp {
  readonly def: OpDef;
  readonly params: TypeCheck<TSchema>;
  readonly result: TypeCheck<TSchema>;
  readonly handler: (params: unknown, ctx: { peer: PeerInfo; requestId: string }) => Promise<unknown>;
}

const envelopeCheck = TypeCompiler.Compile(RequestEnvelope);
const ID_RE = /^[A-Za-z0-9._:-]{1,64}$/;

export interface Dispatcher {
  /** Handle one request line (without its newline); returns the reply line (without newline). */
  handleLine(line: string, peer: PeerInfo): Promise<string>;
  readonly opNames: readonly string[];
}

export function createDispatcher(deps: DispatcherDeps): Dispatcher {
  const table = buildOpTable(ALL_OPS as unknown as readonly OpDef[]);
  const compiled = new Map<string, CompiledOp>();
  for (const [name, def] of table) {
    const handler = (deps.handlers as unknown as Record<string, CompiledOp['handler'] | undefined>)[name];
    if (typeof handler !== 'function') throw new Error(`op ${name} has no handler`);
    compiled.set(name, { def, params: TypeCompiler.Compile(def.params), result: TypeCompiler.Compile(def.result), handler });
  }
  for (const name of Object.keys(deps.handlers)) {
    if (!table.has(name)) throw new Error(`handler ${name} has no op definition`);
  }

  const reply = (id: string | null, r: { ok: true; result: unknown } | { ok: false; code: string; message: string; hint?: string | undefined }): string => {
    const env: ReplyEnvelope =
      r.ok
        ? { v: PROTOCOL_VERSION, id, ok: true, result: r.result }
        : { v: PROTOCOL_VERSION, id, ok: false, error: r.hint === undefined ? { code: r.code, message: r.message } : { code: r.code, message: r.message, hint: r.hint } };
    return JSON.stringify(env);
  };

  /**
   * Serialized results of handlers that return the same deep-frozen object each
   * time (it cannot change, so validating and serializing it once is enough).
   */
  const frozenResults = new WeakMap<object, string>();

  const refuse = async (peer: PeerInfo, id: string | null, op: string, code: string, message: string, hint?: string): Promise<string> => {
    deps.health.recordError(op, code, message);
    // A refusal changes nothing; if the log is broken it is still refused, just not recorded.
    await deps.oplog.append({ op, id, peer, outcome: 'refused', code, message }).catch(() => undefined);
    return reply(id, { ok: false, code, message, hint });
  };

  async function handleLine(line: string, peer: PeerInfo): Promise<string> {
    if (Buffer.byteLength(line, 'utf8') > MAX_LINE_BYTES) {
      return refuse(peer, null, '(oversize)', 'E_LINE_TOO_LONG', `request line exceeds ${MAX_LINE_BYTES} bytes`, 'Split the work into smaller requests.');
    }
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      return refuse(peer, null, '(bad-json)', 'E_BAD_JSON', 'request is not valid JSON', 'Send one JSON object per line.');
    }
    const obj = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
    const id = obj && typeof obj['id'] === 'string' && ID_RE.test(obj['id']) ? obj['id'] : null;
    const opName = obj && typeof obj['op'] === 'string' ? obj['op'].slice(0, 64) : '(none)';
    if (obj && 'v' in obj && obj['v'] !== PROTOCOL_VERSION) {
      return refuse(peer, id, opName, 'E_BAD_VERSION', `protocol version ${JSON.stringify(obj['v'])} is not supported (this daemon speaks ${PROTOCOL_VERSION})`);
    }
    if (!envelopeCheck.Check(raw)) {
      const first = envelopeCheck.Errors(raw).First();
      return refuse(peer, id, opName, 'E_BAD_ENVELOPE', `envelope ${first?.path || '/'}: ${first?.message ?? 'invalid'}`, 'Send {v:1, id, op, params}.');
    }
    const req = raw;
    const op = compiled.get(req.op);
    if (!op) {
      return refuse(peer, req.id, req.op, 'E_UNKNOWN_OP', `unknown op ${req.op}`, 'Call daemon.describe for the list of ops.');
    }
    if (!op.params.Check(req.params)) {
      const errs = [...op.params.Errors(req.params)].slice(0, 3).map((e) => `${e.path || '/'}: ${e.message}`);
      return refuse(peer, req.id, req.op, 'E_INVALID_PARAMS', `${req.op}: ${errs.join('; ')}`, 'Fix the listed fields; see the op schema in daemon.describe.');
    }
    const app = typeof req.params['app'] === 'string' ? req.params['app'] : undefined;
    if (op.def.mutates) {
      // The intent of a change is durable before the change runs, so a crash right after
      // the effect can never leave it missing from the audit trail. No log, no change.
      try {
        await deps.oplog.append({ op: req.op, id: req.id, peer, ...(app ? { app } : {}), params: req.params, outcome: 'started' });
      } catch (e) {
        const message = isHop3Error(e) ? e.message : `op log failure: ${(e as Error).message}`;
        deps.health.recordError(req.op, 'E_OPLOG_FAILED', message);
        return reply(req.id, { ok: false, code: 'E_OPLOG_FAILED', message: `${req.op} was not run: ${message}`, hint: 'Check the disk holding the op log, then restart hop3-rootd.' });
      }
    }
    const started = performance.now();
    let out: string;
    let entry: OpLogEntry;
    try {
      const result = await op.handler(req.params, { peer, requestId: req.id });
      const cached = typeof result === 'object' && result !== null ? frozenResults.get(result) : undefined;
      if (cached !== undefined) {
        // A deep-frozen result (daemon.describe) was validated and serialized once; reuse the bytes.
        out = `{"v":${PROTOCOL_VERSION},"id":${JSON.stringify(req.id)},"ok":true,"result":${cached}}`;
      } else {
        if (!op.result.Check(result)) {
          const first = op.result.Errors(result).First();
          throw new Error(`handler for ${req.op} returned an invalid result at ${first?.path}: ${first?.message}`);
        }
        out = reply(req.id, { ok: true, result });
        if (typeof result === 'object' && result !== null && Object.isFrozen(result)) frozenResults.set(result, JSON.stringify(result));
      }
      entry = { op: req.op, id: req.id, peer, ...(app ? { app } : {}), params: req.params, outcome: 'ok', duration_ms: round(performance.now() - started) };
    } catch (e) {
      let code: string;
      let message: string;
      let hint: string | undefined;
      if (isHop3Error(e)) {
        ({ code, message, hint } = e);
      } else {
        const ref = randomUUID();
        deps.logInternal?.(ref, e);
        code = 'E_INTERNAL';
        message = `internal error (ref ${ref})`;
        hint = 'See the rootd log for this reference.';
      }
      deps.health.recordError(req.op, code, message);
      out = reply(req.id, { ok: false, code, message, hint });
      entry = { op: req.op, id: req.id, peer, ...(app ? { app } : {}), params: req.params, outcome: 'error', code, message, duration_ms: round(performance.now() - started) };
    }
    const logged = deps.oplog.append(entry);
    // Mutating ops: the outcome is durable before the reply; read-only ones are fsync'd with the next group.
    // If the outcome line fails, the op has run (its intent is logged); the log is now broken,
    // so every later mutating op is refused at its intent line.
    if (op.def.mutates) {
      try {
        await logged;
      } catch (e) {
        deps.health.recordError(req.op, 'E_OPLOG_FAILED', (e as Error).message);
      }
    } else logged.catch(() => undefined);
    return out;
  }

  return { handleLine, opNames: [...table.keys()] };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export { Hop3Error };
