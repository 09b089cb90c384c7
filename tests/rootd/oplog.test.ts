import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Exec, ExecRequest } from '../../rootd/exec.ts';
import { OpLog, verifyLog } from '../../rootd/oplog.ts';
import { createRootd } from '../../rootd/rootd.ts';
import { makeTempRootdConfig, ROOT_PEER } from './helpers.ts';

const ADD_RULE = { v: 1, id: 'r1', op: 'firewall.add_rule', params: { app: 'web', port: 25000, proto: 'tcp', source: 'any' } };

test('a mutating op logs its intent durably before it runs, then its outcome', async () => {
  const t = makeTempRootdConfig();
  const seen: string[] = [];
  const exec: Exec = async (req: ExecRequest) => {
    // When the command runs, the intent line must already be in the file.
    seen.push(readFileSync(t.config.op_log, 'utf8'));
    return { code: 1, stdout: '', stderr: 'refused by test' };
  };
  const r = createRootd(t.config, { exec });
  try {
    await r.dispatcher.handleLine(JSON.stringify(ADD_RULE), ROOT_PEER);
    await r.close();
    assert.ok(seen.length > 0, 'the op ran a command');
    assert.match(seen[0]!, /"op":"firewall\.add_rule".*"outcome":"started"/);
    const lines = readFileSync(t.config.op_log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { op: string; outcome: string });
    assert.deepEqual(lines.map((l) => l.outcome), ['started', 'error']);
    assert.deepEqual(verifyLog(t.config.op_log).problems, []);
  } finally {
    t.cleanup();
  }
});

test('when the op log cannot be written, a mutating op is refused with E_OPLOG_FAILED and never runs', async () => {
  const t = makeTempRootdConfig({ op_log: '/dev/full' });
  const calls: ExecRequest[] = [];
  const r = createRootd(t.config, { exec: async (req) => (calls.push(req), { code: 0, stdout: '', stderr: '' }) });
  try {
    const rep = JSON.parse(await r.dispatcher.handleLine(JSON.stringify(ADD_RULE), ROOT_PEER)) as { ok: boolean; error?: { code: string } };
    assert.equal(rep.ok, false);
    assert.equal(rep.error?.code, 'E_OPLOG_FAILED');
    assert.deepEqual(calls, []);
    // Read-only ops still answer: an operator can ask for health.
    const h = JSON.parse(await r.dispatcher.handleLine(JSON.stringify({ v: 1, id: 'h', op: 'daemon.health', params: {} }), ROOT_PEER)) as { ok: boolean; result: { recent_errors: { code: string }[] } };
    assert.equal(h.ok, true);
    assert.ok(h.result.recent_errors.some((e) => e.code === 'E_OPLOG_FAILED'));
  } finally {
    await r.close();
    t.cleanup();
  }
});

test('an op log whose last line is torn stops rootd from starting, with E_OPLOG_FAILED and a hint', () => {
  const t = makeTempRootdConfig();
  try {
    const log = OpLog.open(t.config.op_log);
    void log.append({ op: 'daemon.start', outcome: 'event' });
    writeFileSync(t.config.op_log, readFileSync(t.config.op_log, 'utf8') + '{"seq":2,"ts":"2026', { flag: 'w' });
    assert.throws(() => OpLog.open(t.config.op_log), (e: { code?: string; message?: string; hint?: string }) => e.code === 'E_OPLOG_FAILED' && /torn/.test(e.message ?? '') && /log verify/.test(e.hint ?? ''));
  } finally {
    t.cleanup();
  }
});
