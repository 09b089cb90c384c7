import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRootd } from '../../rootd/rootd.ts';
import { verifyLog } from '../../rootd/oplog.ts';
import { makeTempRootdConfig, ROOT_PEER } from './helpers.ts';

async function withRootd(fn: (r: ReturnType<typeof createRootd>) => Promise<void>): Promise<void> {
  const t = makeTempRootdConfig();
  const r = createRootd(t.config);
  try {
    await fn(r);
  } finally {
    await r.close();
    t.cleanup();
  }
}

const call = async (r: ReturnType<typeof createRootd>, req: unknown): Promise<Record<string, unknown>> =>
  JSON.parse(await r.dispatcher.handleLine(typeof req === 'string' ? req : JSON.stringify(req), ROOT_PEER)) as Record<string, unknown>;

test('daemon.describe lists every op with its schemas', async () => {
  await withRootd(async (r) => {
    const rep = await call(r, { v: 1, id: 'a1', op: 'daemon.describe', params: {} });
    assert.equal(rep['ok'], true);
    const ops = (rep['result'] as { ops: { name: string }[] }).ops.map((o) => o.name);
    assert.ok(ops.includes('daemon.health'));
  });
});

const bad: Array<[string, unknown, string]> = [
  ['not JSON', '{nope', 'E_BAD_JSON'],
  ['an array', '[]', 'E_BAD_ENVELOPE'],
  ['a wrong version', { v: 2, id: 'x', op: 'daemon.describe', params: {} }, 'E_BAD_VERSION'],
  ['an unknown op', { v: 1, id: 'x', op: 'daemon.explode', params: {} }, 'E_UNKNOWN_OP'],
  ['an extra envelope field', { v: 1, id: 'x', op: 'daemon.describe', params: {}, extra: 1 }, 'E_BAD_ENVELOPE'],
  ['extra params', { v: 1, id: 'x', op: 'daemon.describe', params: { a: 1 } }, 'E_INVALID_PARAMS'],
  ['a string where an integer is expected', { v: 1, id: 'x', op: 'daemon.handshake', params: { client: 't', protocol: '1' } }, 'E_INVALID_PARAMS'],
  ['an oversize line', JSON.stringify({ v: 1, id: 'x', op: 'daemon.describe', params: { pad: 'x'.repeat(70000) } }), 'E_LINE_TOO_LONG'],
];
for (const [what, req, code] of bad) {
  test(`a request with ${what} is refused with ${code}`, async () => {
    await withRootd(async (r) => {
      const rep = await call(r, req);
      assert.equal(rep['ok'], false);
      assert.equal((rep['error'] as { code: string }).code, code);
    });
  });
}

test('every request is in the op log and the chain verifies', async () => {
  await withRootd(async (r) => {
    await call(r, { v: 1, id: 'h', op: 'daemon.handshake', params: { client: 'test', protocol: 1 } });
    await call(r, '{bad');
    await call(r, { v: 1, id: 'h2', op: 'daemon.health', params: {} });
    await r.close();
    const v = verifyLog(r.config.op_log);
    assert.deepEqual(v.problems, []);
    assert.equal(v.lines, 3);
  });
});
