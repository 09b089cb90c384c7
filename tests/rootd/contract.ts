/**
 * The rootd contract suite: what every caller may rely on, whatever carries
 * the bytes. It takes a `call(request) → reply` function and is run twice:
 * in-process (dispatcher.handleLine) and against a real `hop3-rootd serve`
 * over its Unix socket.
 *
 * It covers the daemon.* ops, every envelope error, params validation for
 * every op of every family (each invalid params object is refused with
 * E_INVALID_PARAMS and executes nothing), and the list ops on an empty state.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ALL_OPS } from '../../shared-protocol/ops/index.ts';
import { MAX_LINE_BYTES, ReplyEnvelope } from '../../shared-protocol/ops/envelope.ts';
import { arbitraryFor } from './schema-arbitrary.ts';

export type Reply = Record<string, unknown>;
export type Call = (request: unknown) => Promise<Reply>;

export interface ContractTarget {
  readonly call: Call;
  /** The identity the daemon should report for this caller in daemon.handshake. */
  readonly peer: { readonly uid: number; readonly gid: number; readonly pid: number };
}

const replyCheck = TypeCompiler.Compile(ReplyEnvelope);

type Json = Record<string, unknown>;

/** A params object that passes the op's schema (deterministic: fixed seed), or null if none was found. */
export function validSample(schema: TSchema): Json | null {
  const check = TypeCompiler.Compile(schema);
  if (check.Check({})) return {};
  const samples = fc.sample(arbitraryFor(schema as unknown as Json), { seed: 46, numRuns: 3000 });
  const found = samples.find((s) => check.Check(s));
  return (found as Json | undefined) ?? null;
}

/** Invalid params for one op: each case names what is wrong. All must be refused with E_INVALID_PARAMS. */
export function invalidParamsCases(schema: TSchema): Array<[string, unknown]> {
  const s = schema as unknown as Json;
  const props = (s['properties'] as Record<string, Json> | undefined) ?? {};
  const required = (s['required'] as string[] | undefined) ?? [];
  const base = validSample(schema) ?? {};
  const cases: Array<[string, unknown]> = [['an unknown extra field', { ...base, not_a_field: 1 }]];
  for (const key of Object.keys(props)) {
    cases.push([`field ${key} given an object of the wrong shape`, { ...base, [key]: { wrong: true } }]);
    cases.push([`field ${key} given null`, { ...base, [key]: null }]);
  }
  for (const key of required) {
    const copy: Json = { ...base };
    delete copy[key];
    cases.push([`required field ${key} missing`, copy]);
  }
  return cases;
}

function errCode(r: Reply): string | undefined {
  const e = r['error'] as { code?: string } | undefined;
  return e?.code;
}

export function contractSuite(name: string, setup: () => Promise<ContractTarget>, teardown: () => Promise<void>): void {
  describe(`rootd contract (${name})`, () => {
    let target: ContractTarget;
    /** Every reply must be a valid reply envelope. */
    const call = async (req: unknown): Promise<Reply> => {
      const r = await target.call(req);
      assert.ok(replyCheck.Check(r), `reply is not a valid envelope: ${JSON.stringify(r).slice(0, 300)}`);
      return r;
    };
    const okResult = async (op: string, params: unknown = {}): Promise<Json> => {
      const r = await call({ v: 1, id: 'c1', op, params });
      assert.equal(r['ok'], true, `${op} failed: ${JSON.stringify(r['error'])}`);
      assert.equal(r['id'], 'c1');
      return r['result'] as Json;
    };
    let healthBefore: Json;

    before(async () => {
      target = await setup();
      healthBefore = await okResult('daemon.health');
    });
    after(teardown);

    test('daemon.handshake returns protocol 1, the op count and the caller identity the kernel reported', async () => {
      const res = await okResult('daemon.handshake', { client: 'contract-suite', protocol: 1 });
      assert.equal(res['protocol'], 1);
      assert.equal(res['op_count'], ALL_OPS.length);
      assert.deepEqual(res['peer'], { ...target.peer });
    });

    test('daemon.handshake with another protocol version is refused with E_BAD_VERSION', async () => {
      const r = await call({ v: 1, id: 'h2', op: 'daemon.handshake', params: { client: 'x', protocol: 2 } });
      assert.equal(errCode(r), 'E_BAD_VERSION');
    });

    test('daemon.describe lists exactly the op table, each with its schemas and error codes', async () => {
      const res = await okResult('daemon.describe');
      assert.equal(res['protocol'], 1);
      const ops = res['ops'] as Array<Json>;
      assert.deepEqual(ops.map((o) => o['name']), ALL_OPS.map((o) => o.name));
      for (const o of ops) {
        const def = ALL_OPS.find((d) => d.name === o['name'])!;
        assert.deepEqual(o['errors'], [...def.errors]);
        assert.equal(o['mutates'], def.mutates);
        assert.deepEqual(o['params'], JSON.parse(JSON.stringify(def.params)));
        assert.equal((o['params'] as Json)['additionalProperties'], false, `${def.name} params must forbid extra properties`);
      }
    });

    test('daemon.health reports uptime, zero counts on an empty state and a well-formed last reconcile', async () => {
      const res = await okResult('daemon.health');
      assert.equal(typeof res['uptime_s'], 'number');
      assert.deepEqual(res['state'], { rules: 0, mounts: 0, cgroups: 0, sites: 0 });
      const rec = res['last_reconcile'];
      assert.ok(rec === null || (typeof rec === 'object' && Array.isArray((rec as Json)['changes'])));
      assert.ok(Array.isArray(res['recent_errors']));
    });

    const envelopeCases: Array<[string, unknown, string, string | null]> = [
      ['text that is not JSON', '{nope', 'E_BAD_JSON', null],
      ['a JSON string', '"hello"', 'E_BAD_ENVELOPE', null],
      ['a JSON array', '[1,2]', 'E_BAD_ENVELOPE', null],
      ['null', 'null', 'E_BAD_ENVELOPE', null],
      ['no id', { v: 1, op: 'daemon.health', params: {} }, 'E_BAD_ENVELOPE', null],
      ['an id with a space', { v: 1, id: 'a b', op: 'daemon.health', params: {} }, 'E_BAD_ENVELOPE', null],
      ['an id longer than 64 chars', { v: 1, id: 'x'.repeat(65), op: 'daemon.health', params: {} }, 'E_BAD_ENVELOPE', null],
      ['no params', { v: 1, id: 'e1', op: 'daemon.health' }, 'E_BAD_ENVELOPE', 'e1'],
      ['params that are an array', { v: 1, id: 'e2', op: 'daemon.health', params: [] }, 'E_BAD_ENVELOPE', 'e2'],
      ['params that are a string', { v: 1, id: 'e3', op: 'daemon.health', params: 'x' }, 'E_BAD_ENVELOPE', 'e3'],
      ['an extra envelope field', { v: 1, id: 'e4', op: 'daemon.health', params: {}, sudo: true }, 'E_BAD_ENVELOPE', 'e4'],
      ['an op name with capitals', { v: 1, id: 'e5', op: 'Daemon.Health', params: {} }, 'E_BAD_ENVELOPE', 'e5'],
      ['no version', { id: 'e6', op: 'daemon.health', params: {} }, 'E_BAD_ENVELOPE', 'e6'],
      ['version 2', { v: 2, id: 'e7', op: 'daemon.health', params: {} }, 'E_BAD_VERSION', 'e7'],
      ['version "1" as a string', { v: '1', id: 'e8', op: 'daemon.health', params: {} }, 'E_BAD_VERSION', 'e8'],
      ['an op that is not in the table', { v: 1, id: 'e9', op: 'daemon.shell', params: {} }, 'E_UNKNOWN_OP', 'e9'],
      ['an unknown family', { v: 1, id: 'e10', op: 'exec.run', params: { cmd: 'id' } }, 'E_UNKNOWN_OP', 'e10'],
      ['a line over 64 KiB', JSON.stringify({ v: 1, id: 'e11', op: 'daemon.health', params: { pad: 'x'.repeat(MAX_LINE_BYTES) } }), 'E_LINE_TOO_LONG', null],
    ];
    for (const [what, req, code, id] of envelopeCases) {
      test(`a request with ${what} gets ${code}${id === null ? ' and a null id' : ' echoing its id'}`, async () => {
        const r = await call(req);
        assert.equal(r['ok'], false);
        assert.equal(errCode(r), code);
        assert.equal(r['id'], id);
        assert.equal(typeof (r['error'] as Json)['message'], 'string');
      });
    }

    for (const op of ALL_OPS) {
      const cases = invalidParamsCases(op.params);
      test(`${op.name}: ${cases.length} invalid params objects are each refused with E_INVALID_PARAMS`, async () => {
        for (const [what, params] of cases) {
          const r = await call({ v: 1, id: 'p1', op: op.name, params });
          assert.equal(errCode(r), 'E_INVALID_PARAMS', `${op.name} with ${what}: ${JSON.stringify(r)}`);
          assert.equal(r['id'], 'p1');
        }
      });
    }

    const listOps = ALL_OPS.filter((o) => /\.list/.test(o.name));
    for (const op of listOps) {
      test(`${op.name} on an empty state returns a schema-valid empty list, or one of its declared errors`, async () => {
        const r = await call({ v: 1, id: 'l1', op: op.name, params: {} });
        if (r['ok'] === true) {
          const res = r['result'] as Json;
          assert.ok(TypeCompiler.Compile(op.result).Check(res));
          for (const v of Object.values(res)) if (Array.isArray(v)) assert.equal(v.length, 0);
        } else {
          // Only where the op must ask the host (e.g. nft) and the harmless test binaries refuse.
          const code = errCode(r) ?? '';
          assert.ok((op.errors as readonly string[]).includes(code), `${op.name} failed with undeclared ${code}`);
          assert.ok(code !== 'E_INTERNAL' && code !== 'E_INVALID_PARAMS');
        }
      });
    }

    test('after every refused request the state is still empty: nothing was executed', async () => {
      const res = await okResult('daemon.health');
      assert.deepEqual(res['state'], healthBefore['state']);
      assert.deepEqual(res['state'], { rules: 0, mounts: 0, cgroups: 0, sites: 0 });
      const codes = new Set((res['recent_errors'] as Array<Json>).map((e) => e['code']));
      assert.ok(!codes.has('E_EXEC_FAILED') && !codes.has('E_INTERNAL'), `unexpected errors: ${[...codes].join(', ')}`);
    });
  });
}
