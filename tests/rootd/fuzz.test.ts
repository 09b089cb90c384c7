/**
 * Fuzz (fast-check): random lines into the decoder and schema-derived params
 * into every op. rootd never throws, always answers one well-formed reply,
 * never accepts params its schema rejects, never answers E_INTERNAL, and every
 * absolute path it hands to a command stays under its own configured roots.
 * A failing run prints the seed: re-run with FUZZ_SEED=<seed>.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ReplyEnvelope } from '../../shared-protocol/ops/envelope.ts';
import { ALL_OPS, ROOTD_ERRORS } from '../../shared-protocol/ops/index.ts';
import type { Exec, ExecRequest } from '../../rootd/exec.ts';
import { createRootd, type Rootd } from '../../rootd/rootd.ts';
import { arbitraryFor } from './schema-arbitrary.ts';
import { makeTempRootdConfig, ROOT_PEER, type TempRootd } from './helpers.ts';

const SEED = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : Date.now() % 2 ** 31;
const LINE_RUNS = 4000;
const OP_RUNS_TOTAL = 8000;

let t: TempRootd;
let rootd: Rootd;
const calls: ExecRequest[] = [];
/** A command runner that records argv and reports failure: rootd must turn that into typed errors. */
const fakeExec: Exec = async (req) => {
  calls.push(req);
  return { code: 1, stdout: '', stderr: 'fuzz: command refused' };
};
const replyCheck = TypeCompiler.Compile(ReplyEnvelope);

before(() => {
  t = makeTempRootdConfig();
  // No cgroup controllers in the fuzz tree: cgroup ops stop at the availability check,
  // so no fuzzed pid can ever be signalled.
  writeFileSync(join(t.config.cgroup_root, 'cgroup.controllers'), 'hugetlb\n');
  rootd = createRootd(t.config, { exec: fakeExec, logInternal: () => {} });
});
after(async () => {
  await rootd.close();
  t.cleanup();
});

function assertPathsContained(): void {
  for (const c of calls.splice(0)) {
    for (const arg of c.args) {
      for (const part of arg.split(/[=,\s]/)) {
        if (!part.startsWith('/')) continue;
        const ok = part.startsWith(t.dir + '/') || part === t.dir || /^\/proc\/\d+\/fd\/\d+$/.test(part);
        assert.ok(ok, `${c.bin} was given ${part}, outside rootd's roots (seed ${SEED})`);
      }
    }
  }
}

async function send(line: string): Promise<{ ok: boolean; error?: { code: string } }> {
  const out = await rootd.dispatcher.handleLine(line, ROOT_PEER);
  const parsed: unknown = JSON.parse(out);
  assert.ok(replyCheck.Check(parsed), `malformed reply ${out.slice(0, 200)}`);
  return parsed as { ok: boolean; error?: { code: string } };
}

test(`the decoder answers every random line with a well-formed reply (seed ${SEED})`, async () => {
  const line = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.jsonValue().map((v) => JSON.stringify(v)),
    fc.record({ v: fc.oneof(fc.constant(1), fc.jsonValue()), id: fc.oneof(fc.string({ maxLength: 70 }), fc.jsonValue()), op: fc.oneof(fc.constantFrom(...ALL_OPS.map((o) => o.name)), fc.string()), params: fc.jsonValue() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  );
  await fc.assert(
    fc.asyncProperty(line, async (l) => {
      const rep = await send(l.replace(/\n/g, ' '));
      if (!rep.ok) assert.ok(rep.error!.code in ROOTD_ERRORS, rep.error!.code);
      assert.notEqual(rep.error?.code, 'E_INTERNAL');
    }),
    { seed: SEED, numRuns: LINE_RUNS },
  );
  assertPathsContained();
});

const perOp = Math.ceil(OP_RUNS_TOTAL / ALL_OPS.length);
for (const op of ALL_OPS) {
  const check = TypeCompiler.Compile(op.params);
  test(`${op.name}: never accepts params its schema rejects and never fails untyped (seed ${SEED})`, async () => {
    let valid = 0;
    await fc.assert(
      fc.asyncProperty(arbitraryFor(op.params as never), async (params) => {
        const isValid = check.Check(params);
        if (isValid) valid++;
        const rep = await send(JSON.stringify({ v: 1, id: 'fz', op: op.name, params }));
        if (!isValid) {
          assert.equal(rep.ok, false, `accepted invalid params ${JSON.stringify(params)}`);
          assert.ok(['E_INVALID_PARAMS', 'E_BAD_ENVELOPE'].includes(rep.error!.code), rep.error!.code);
        } else if (!rep.ok) {
          const code = rep.error!.code;
          assert.notEqual(code, 'E_INTERNAL', `E_INTERNAL for ${JSON.stringify(params)}`);
          assert.ok(code in ROOTD_ERRORS, code);
        }
        assertPathsContained();
      }),
      { seed: SEED, numRuns: perOp },
    );
    // The generator must reach the valid space, or the property above proves little.
    if (Object.keys((op.params as { properties?: object }).properties ?? {}).length > 0) {
      assert.ok(valid > 0, `no valid params generated for ${op.name}`);
    }
  });
}
