/**
 * An unauthorized uid cannot issue an op against a real `hop3-rootd serve`:
 * a client process running as `nobody` (uid 65534) is stopped by the
 * filesystem (EACCES) with the normal socket, and by SO_PEERCRED
 * (E_UNAUTHORIZED, logged with its uid) when the socket group lets it
 * connect. Allowing its uid is the control that shows the test can fail.
 */
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { makeServeConfig, startServe, type ServeChild, type TempServeConfig } from './socket-harness.ts';

const NOBODY = 65534;
const NOGROUP = 65534;

/** Runs as nobody:nogroup (no supplementary groups): connect, send a handshake, print what happened as JSON. */
const CLIENT = `
const net = require('node:net');
const s = net.connect(process.argv[1]);
let buf = '';
const out = (o) => { process.stdout.write(JSON.stringify(o)); process.exit(0); };
s.on('connect', () => s.write(JSON.stringify({ v: 1, id: 'n1', op: 'daemon.handshake', params: { client: 'nobody', protocol: 1 } }) + '\\n'));
s.on('data', (d) => { buf += d; if (buf.includes('\\n')) out({ reply: JSON.parse(buf.slice(0, buf.indexOf('\\n'))) }); });
s.on('error', (e) => out({ error: e.code }));
s.on('close', () => out({ closed: true, buf }));
setTimeout(() => out({ timeout: true }), 10000);
`;

function runAsNobody(socket: string): Promise<{ reply?: { ok: boolean; error?: { code: string }; result?: { peer: { uid: number } } }; error?: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', CLIENT, socket], { uid: NOBODY, gid: NOGROUP, cwd: '/', env: { PATH: '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', () => {
      try {
        resolve(JSON.parse(out) as { error?: string });
      } catch {
        reject(new Error(`nobody client printed ${JSON.stringify(out)}; stderr ${err}`));
      }
    });
  });
}

interface Started {
  readonly t: TempServeConfig;
  readonly child: ServeChild;
}
const started: Started[] = [];
after(async () => {
  for (const s of started) {
    await s.child.stop();
    s.t.cleanup();
  }
});

/** A serve child whose socket group is `group`; the temp tree is made traversable (0711) so only the socket dir decides. */
async function serveWith(group: number, allowed: number[]): Promise<Started> {
  const t = makeServeConfig((c) => ({ ...c, socket: { ...c.socket, group, allowed_uids: allowed } }), group);
  chmodSync(t.dir, 0o711);
  const child = await startServe(t.configFile, t.config.socket.path);
  const s = { t, child };
  started.push(s);
  return s;
}

function logEntries(path: string): Array<Record<string, unknown>> {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('an unauthorized uid cannot issue an op', () => {
  test('with the normal root:<group> 0750/0660 socket, nobody cannot even connect (EACCES)', async () => {
    const { t } = await serveWith(0, []);
    const r = await runAsNobody(t.config.socket.path);
    assert.equal(r.error, 'EACCES');
    assert.ok(!logEntries(t.config.op_log).some((e) => e['op'] === 'daemon.handshake'));
  });

  test('when nobody can reach the socket but uid 65534 is not allowed, it gets E_UNAUTHORIZED and the refusal is logged with its uid', async () => {
    const { t } = await serveWith(NOGROUP, []);
    const r = await runAsNobody(t.config.socket.path);
    assert.equal(r.reply?.ok, false);
    assert.equal(r.reply?.error?.code, 'E_UNAUTHORIZED');
    const refused = logEntries(t.config.op_log).filter((e) => e['outcome'] === 'refused');
    assert.equal(refused.length, 1);
    const peer = refused[0]!['peer'] as { uid: number; pid: number };
    assert.equal(refused[0]!['op'], '(connect)');
    assert.equal(refused[0]!['code'], 'E_UNAUTHORIZED');
    assert.equal(peer.uid, NOBODY);
    assert.ok(peer.pid > 1);
    assert.ok(!logEntries(t.config.op_log).some((e) => e['op'] === 'daemon.handshake'));
  });

  test('control: once uid 65534 is in allowed_uids the same client is served and seen as uid 65534', async () => {
    const { t } = await serveWith(NOGROUP, [NOBODY]);
    const r = await runAsNobody(t.config.socket.path);
    assert.equal(r.reply?.ok, true);
    assert.equal(r.reply?.result?.peer.uid, NOBODY);
  });
});
