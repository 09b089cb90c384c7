/**
 * `hop3-rootd log verify` and `log show`: every single-byte change, every
 * removed line and any swap of two lines is detected; show's filters select
 * what an operator asks for. In-process for the exhaustive loops, through the
 * real CLI for exit codes and output.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpLog, type OpLogEntry } from '../../rootd/oplog.ts';
import { runLogShow, runLogVerify, formatTable, type CliOutput } from '../../rootd/log-cli.ts';
import { makeServeConfig, runCli, type TempServeConfig } from './socket-harness.ts';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'hop3-logcli-')));
after(() => rmSync(dir, { recursive: true, force: true }));
const LOG = join(dir, 'op.jsonl');
const peer = { uid: 998, gid: 998, pid: 4242 };

const ENTRIES: Array<[string, OpLogEntry]> = [
  ['2026-01-01T10:00:00.000Z', { op: 'daemon.start', outcome: 'event', details: { pid: 1 } }],
  ['2026-01-01T10:00:01.000Z', { op: 'firewall.add_rule', id: 'r1', peer, app: 'shop', params: { app: 'shop', port: 8080 }, outcome: 'ok', duration_ms: 3.2 }],
  ['2026-01-02T10:00:00.000Z', { op: 'mount.tmpfs', id: 'r2', peer, app: 'blog', params: { app: 'blog', target: 'cache' }, outcome: 'error', code: 'E_EXEC_FAILED', message: 'mount: failed', duration_ms: 10 }],
  ['2026-01-03T10:00:00.000Z', { op: '(connect)', id: null, peer: { uid: 65534, gid: 65534, pid: 77 }, outcome: 'refused', code: 'E_UNAUTHORIZED', message: 'uid 65534 may not call hop3-rootd' }],
  ['2026-01-04T10:00:00.000Z', { op: 'firewall.remove_rule', id: 'r3', peer, app: 'blog', params: { app: 'blog', id: 'x' }, outcome: 'ok', duration_ms: 1 }],
  ['2026-01-05T10:00:00.000Z', { op: 'cgroup.read', id: 'r4', peer, app: 'shop', params: { app: 'shop', token: 'secret-value' }, outcome: 'ok', duration_ms: 0.5 }],
];

let LINES: string[] = [];

before(async () => {
  let i = 0;
  const log = OpLog.open(LOG, () => new Date(ENTRIES[Math.min(i, ENTRIES.length - 1)]![0]));
  for (; i < ENTRIES.length; i++) await log.append(ENTRIES[i]![1]);
  await log.close();
  LINES = readFileSync(LOG, 'utf8').split('\n').slice(0, -1);
  assert.equal(LINES.length, ENTRIES.length);
});

function capture(): CliOutput & { outLines: string[]; errLines: string[] } {
  const outLines: string[] = [];
  const errLines: string[] = [];
  return { outLines, errLines, out: (l) => outLines.push(l), err: (l) => errLines.push(l) };
}

/** Verify a tampered copy (the head sidecar is copied unchanged). */
function verifyTampered(content: string | Buffer): { code: number; err: string[] } {
  const p = join(dir, 'tampered.jsonl');
  writeFileSync(p, content);
  copyFileSync(`${LOG}.head`, `${p}.head`);
  const io = capture();
  return { code: runLogVerify(p, io), err: io.errLines };
}

describe('log verify', () => {
  test('an untouched log verifies (exit 0)', () => {
    const io = capture();
    assert.equal(runLogVerify(LOG, io), 0);
    assert.match(io.outLines[0] ?? '', /6 lines, hash chain intact/);
  });

  const original = (): Buffer => readFileSync(LOG);
  const lineStarts = (): number[] => {
    const starts = [0];
    for (const l of LINES.slice(0, -1)) starts.push(starts[starts.length - 1]! + Buffer.byteLength(l) + 1);
    return starts;
  };

  for (const [which, idx] of [['first', 0], ['middle', 2], ['last', 5]] as const) {
    test(`flipping any single byte of the ${which} line (each bit-0 flip, newline included) is detected, naming that line`, () => {
      const buf = original();
      const start = lineStarts()[idx]!;
      const len = Buffer.byteLength(LINES[idx]!) + 1;
      let checked = 0;
      for (let off = start; off < start + len; off++) {
        const copy = Buffer.from(buf);
        copy[off] = copy[off]! ^ 0x01;
        const r = verifyTampered(copy);
        assert.equal(r.code, 1, `flip at byte ${off - start} of line ${idx + 1} went unnoticed`);
        checked++;
      }
      assert.equal(checked, len);
      const mid = Buffer.from(buf);
      mid[start + 10] = mid[start + 10]! ^ 0x01;
      assert.ok(verifyTampered(mid).err.some((e) => e.includes(`:${idx + 1}: `)), 'the problem names the line');
    });
  }

  for (const [which, idx] of [['first', 0], ['middle', 3], ['last', 5]] as const) {
    test(`deleting the ${which} line is detected`, () => {
      const kept = LINES.filter((_, i) => i !== idx);
      const r = verifyTampered(kept.join('\n') + '\n');
      assert.equal(r.code, 1);
    });
  }

  for (const [a, b] of [[0, 1], [2, 3], [4, 5], [1, 4]] as const) {
    test(`swapping lines ${a + 1} and ${b + 1} is detected`, () => {
      const swapped = [...LINES];
      [swapped[a], swapped[b]] = [swapped[b]!, swapped[a]!];
      const r = verifyTampered(swapped.join('\n') + '\n');
      assert.equal(r.code, 1);
      assert.ok(r.err.some((e) => /chain broken|sequence/.test(e)));
    });
  }
});

describe('log show', () => {
  const show = (f: Parameters<typeof runLogShow>[1]): { code: number; out: string[]; err: string[] } => {
    const io = capture();
    const code = runLogShow(LOG, f, io);
    return { code, out: io.outLines, err: io.errLines };
  };
  const seqs = (jsonLines: string[]): number[] => jsonLines.map((l) => (JSON.parse(l) as { seq: number }).seq);

  test('--op selects one op name exactly', () => {
    assert.deepEqual(seqs(show({ op: 'firewall.add_rule', json: true }).out), [2]);
  });
  test('--op with a family name selects every op of that family', () => {
    assert.deepEqual(seqs(show({ op: 'firewall', json: true }).out), [2, 5]);
  });
  test('--op selects refused connections by their pseudo-op', () => {
    assert.deepEqual(seqs(show({ op: '(connect)', json: true }).out), [4]);
  });
  test('--app selects one app', () => {
    assert.deepEqual(seqs(show({ app: 'blog', json: true }).out), [3, 5]);
  });
  test('--since keeps entries at or after the given time, and filters combine', () => {
    assert.deepEqual(seqs(show({ since: '2026-01-03', json: true }).out), [4, 5, 6]);
    assert.deepEqual(seqs(show({ since: '2026-01-03T10:00:00Z', app: 'shop', json: true }).out), [6]);
  });
  test('a --since that is not a date is a usage error (exit 2)', () => {
    const r = show({ since: 'yesterday-ish' });
    assert.equal(r.code, 2);
    assert.match(r.err[0] ?? '', /E_USAGE/);
  });
  test('the default output is a table with a header and one row per entry, secrets redacted', () => {
    const r = show({});
    assert.equal(r.code, 0);
    assert.match(r.out[0]!, /^SEQ\s+TIME\s+OUTCOME\s+OP\s+APP\s+PEER\(uid\/pid\)\s+CODE\s+MS\s+DETAIL$/);
    assert.equal(r.out.length, 7);
    assert.match(r.out[4]!, /refused\s+\(connect\)\s+-\s+65534\/77\s+E_UNAUTHORIZED/);
    assert.ok(!readFileSync(LOG, 'utf8').includes('secret-value'));
  });
  test('control characters in a message cannot break the table layout', () => {
    const lines = formatTable([{ seq: 1, op: 'x', message: 'a\nb\u001b[31mc' }]);
    assert.equal(lines.length, 2);
    assert.ok(!lines[1]!.includes('\n') && !lines[1]!.includes('\u001b'));
  });
});

describe('the real CLI', () => {
  let t: TempServeConfig;
  before(() => {
    t = makeServeConfig();
    copyFileSync(LOG, t.config.op_log);
    copyFileSync(`${LOG}.head`, `${t.config.op_log}.head`);
  });
  after(() => t.cleanup());

  test('`log verify --config` exits 0 on an intact log', async () => {
    const r = await runCli(['log', 'verify', '--config', t.configFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hash chain intact/);
  });

  test('`log verify --file` exits 1 and prints the line number of an edited line', async () => {
    const p = join(dir, 'cli-tampered.jsonl');
    writeFileSync(p, [LINES[0], LINES[1]!.replace('8080', '8081'), ...LINES.slice(2)].join('\n') + '\n');
    copyFileSync(`${LOG}.head`, `${p}.head`);
    const r = await runCli(['log', 'verify', '--file', p]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cli-tampered\.jsonl:2: hash mismatch/);
  });

  test('`log show --op --json` prints only the matching raw lines', async () => {
    const r = await runCli(['log', 'show', '--config', t.configFile, '--op', 'mount', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [LINES[2]]);
  });

  test('usage errors exit 2 with E_USAGE', async () => {
    const cases = [['log', 'show'], ['log', 'verify', '--file', LOG, '--app', 'x'], ['bogus'], ['serve']];
    const results = await Promise.all(cases.map((args) => runCli(args)));
    results.forEach((r, i) => {
      assert.equal(r.code, 2, `${cases[i]!.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /E_USAGE/);
    });
  });

  test('a config that is group-writable is refused with E_CONFIG_INVALID (exit 3)', async () => {
    const bad = join(dir, 'loose.json');
    copyFileSync(t.configFile, bad);
    chmodSync(bad, 0o660);
    const r = await runCli(['log', 'verify', '--config', bad]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /E_CONFIG_INVALID: .*must be owned by uid 0 and not group\/other-writable/);
  });
});

test('log show never prints control or bidi characters a caller smuggled into the log', async () => {
  const { formatTable, printable } = await import('../../rootd/log-cli.ts');
  const evil = '\u001b[2J\u001b]0;pwned\u0007\u202eop\u0085';
  const lines = formatTable([{ seq: 1, ts: 't', outcome: 'refused', op: evil, app: evil, code: 'E_BAD_ENVELOPE', message: evil } as never]);
  for (const l of lines) assert.doesNotMatch(l, /[\u0000-\u001f\u007f-\u009f\u202a-\u202e]/);
  assert.equal(printable('a\u001bb'), 'a?b');
});
