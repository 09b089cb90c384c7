/**
 * deploy/install-rootd.sh, run for real into a temp root (--root): what it
 * writes is root-owned and not writable by the hop3 account, a second run
 * changes nothing, unsafe layouts are refused, and the installed bundle
 * actually serves rootd over its socket (inside a throwaway network namespace,
 * so the host firewall is never touched).
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

const REPO = join(import.meta.dirname, '..', '..');
const INSTALL = join(REPO, 'deploy', 'install-rootd.sh');
const isRoot = process.getuid?.() === 0;
// The hop3 account stand-in: an existing unprivileged account, so the test never creates users.
const USER = 'nobody';
const GROUP = 'nogroup';
const haveGroup = spawnSync('getent', ['group', GROUP]).status === 0;
const skip = !isRoot ? 'needs root (the installer chowns to root)' : !haveGroup ? `no ${GROUP} group` : false;

function install(root: string, ...extra: string[]): { status: number | null; out: string } {
  const r = spawnSync('bash', [INSTALL, '--root', root, '--user', USER, '--group', GROUP, ...extra], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

function walk(path: string, out: string[] = []): string[] {
  out.push(path);
  const st = lstatSync(path);
  if (st.isDirectory()) for (const e of spawnSync('ls', ['-A', path], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean)) walk(join(path, e), out);
  return out;
}

function digest(paths: readonly string[]): string {
  const h = createHash('sha256');
  for (const p of paths) {
    const st = lstatSync(p);
    // Directory mtimes move when the installer stages temp files next to its targets; file mtimes must not.
    h.update(`${p} ${st.mode} ${st.uid} ${st.gid} ${st.isFile() ? readFileSync(p).toString('base64') + ' ' + st.mtimeMs : ''}\n`);
  }
  return h.digest('hex');
}

describe('install-rootd.sh into a temp root', { skip }, () => {
  let root = '';
  let first = { status: null as number | null, out: '' };
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'hop3-install-'));
    first = install(root);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('succeeds and says where everything went', () => {
    assert.equal(first.status, 0, first.out);
    assert.match(first.out, /installed code in .*\/opt\/hop3\/lib\/hop3-rootd/);
    assert.match(first.out, /wrote .*\/etc\/hop3\/rootd\.json/);
    assert.match(first.out, /no units installed/);
  });

  it('installs each artefact with the expected owner and mode', () => {
    const expect: Array<[string, number, number, number]> = [
      ['opt/hop3/bin/hop3-rootd', 0o755, 0, 0],
      ['opt/hop3/lib/hop3-rootd', 0o755, 0, 0],
      ['opt/hop3/lib/hop3-rootd/rootd/hop3-rootd.mjs', 0o644, 0, 0],
      ['opt/hop3/lib/hop3-rootd/build/Release/peercred.node', 0o755, 0, 0],
      ['opt/hop3/lib/hop3-rootd/MANIFEST', 0o644, 0, 0],
      ['etc/hop3', 0o755, 0, 0],
      ['etc/hop3/rootd.json', 0o600, 0, 0],
      ['etc/hop3/tls', 0o700, 0, 0],
      ['var/lib/hop3-rootd', 0o700, 0, 0],
      ['var/lib/hop3-rootd/state.json', 0o600, 0, 0],
      ['var/log/hop3-rootd', 0o700, 0, 0],
    ];
    for (const [rel, mode, uid, gid] of expect) {
      const st = statSync(join(root, rel));
      assert.equal((st.mode & 0o7777).toString(8), mode.toString(8), `${rel} mode`);
      assert.equal(st.uid, uid, `${rel} owner`);
      assert.equal(st.gid, gid, `${rel} group`);
    }
    const run = statSync(join(root, 'run/hop3'));
    assert.equal(run.mode & 0o7777, 0o750);
    assert.equal(run.uid, 0);
    const apps = statSync(join(root, 'srv/hop3/apps'));
    assert.equal(apps.uid, Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout.trim()), 'the app root belongs to the hop3 account');
    assert.equal(statSync(join(root, 'srv/hop3')).uid, 0, "the app root's parent is root's, so it cannot be swapped for a symlink");
  });

  it('installs a single bundled file instead of TypeScript sources and node_modules', () => {
    const files = walk(join(root, 'opt/hop3')).map((p) => p.slice(root.length));
    assert.ok(!files.some((f) => f.endsWith('.ts') || f.includes('node_modules')), files.join('\n'));
    const bundle = readFileSync(join(root, 'opt/hop3/lib/hop3-rootd/rootd/hop3-rootd.mjs'), 'utf8');
    assert.ok(!bundle.startsWith('#!'), 'no tsx shebang left');
    assert.match(bundle, /bundled by deploy\/install-rootd\.sh from commit [0-9a-f]{40}/);
  });

  it('leaves nothing under code, config, state or log that the hop3 account can write', () => {
    const paths = ['opt/hop3', 'etc/hop3', 'var/lib/hop3-rootd', 'var/log/hop3-rootd'].flatMap((d) => walk(join(root, d)));
    for (const p of paths) {
      const st = lstatSync(p);
      assert.equal(st.uid, 0, `${p} owned by root`);
      assert.equal(st.mode & 0o022, 0, `${p} not group/other-writable`);
    }
    // And ask the kernel, as that account: not one of them is writable.
    const r = spawnSync('setpriv', ['--reuid', USER, '--regid', GROUP, '--clear-groups', 'sh', '-c', 'for f; do [ -w "$f" ] && echo "$f"; done; true', 'sh', ...paths], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '', `writable by ${USER}:\n${r.stdout}`);
  });

  it('writes a config that rootd itself accepts, with the hop3 uid allowed and the requested policy', () => {
    const cfg = JSON.parse(readFileSync(join(root, 'etc/hop3/rootd.json'), 'utf8')) as Record<string, unknown> & {
      socket: { path: string; group: string; allowed_uids: number[] };
      firewall: { policy: string };
    };
    const uid = Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout.trim());
    assert.equal(cfg.socket.path, join(root, 'run/hop3/rootd.sock'));
    assert.equal(cfg.socket.group, GROUP);
    assert.deepEqual(cfg.socket.allowed_uids, [uid]);
    assert.deepEqual(cfg['cgroup_attach_uids'], [uid]);
    assert.equal(cfg.firewall.policy, 'drop');
    assert.equal(cfg['state_file'], join(root, 'var/lib/hop3-rootd/state.json'));
  });

  it('is idempotent: a second run changes no byte, owner, mode or file mtime', () => {
    const paths = ['opt/hop3', 'etc/hop3', 'var/lib/hop3-rootd', 'var/log/hop3-rootd', 'srv/hop3'].flatMap((d) => walk(join(root, d)));
    const before = digest(paths);
    const second = install(root);
    assert.equal(second.status, 0, second.out);
    assert.match(second.out, /code unchanged/);
    assert.match(second.out, /config kept/);
    assert.match(second.out, /state kept/);
    assert.equal(digest(paths), before);
  });

  it('never overwrites an edited config, and restores modes someone loosened', () => {
    const conf = join(root, 'etc/hop3/rootd.json');
    const edited = readFileSync(conf, 'utf8').replace('"drop"', '"accept"');
    writeFileSync(conf, edited);
    const bundle = join(root, 'opt/hop3/lib/hop3-rootd/rootd/hop3-rootd.mjs');
    chmodSync(bundle, 0o666);
    chmodSync(conf, 0o644);
    const r = install(root);
    assert.equal(r.status, 0, r.out);
    assert.equal(readFileSync(conf, 'utf8'), edited);
    assert.equal(statSync(conf).mode & 0o777, 0o600);
    assert.equal(statSync(bundle).mode & 0o777, 0o644);
  });
});

describe('install-rootd.sh refuses unsafe layouts', { skip }, () => {
  const roots: string[] = [];
  after(() => {
    for (const r of roots) rmSync(r, { recursive: true, force: true });
  });
  const fresh = (): string => {
    const r = mkdtempSync(join(tmpdir(), 'hop3-install-bad-'));
    roots.push(r);
    return r;
  };
  const uid = Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout.trim());

  it('refuses a prefix under a directory the hop3 account owns', () => {
    const root = fresh();
    mkdirSync(join(root, 'opt'), { recursive: true });
    chownSync(join(root, 'opt'), uid, 0);
    const r = install(root);
    assert.notEqual(r.status, 0);
    assert.match(r.out, /install prefix: .*\/opt is owned by uid \d+, not root/);
    assert.ok(!existsSync(join(root, 'opt/hop3/bin/hop3-rootd')));
  });

  it('refuses an app root whose parent the hop3 account could swap', () => {
    const root = fresh();
    mkdirSync(join(root, 'srv/hop3'), { recursive: true });
    chownSync(join(root, 'srv/hop3'), uid, 0);
    const r = install(root);
    assert.notEqual(r.status, 0);
    assert.match(r.out, /parent of the app root: .*srv\/hop3 is owned by uid/);
  });

  it('refuses a group-writable config directory', () => {
    const root = fresh();
    mkdirSync(join(root, 'etc/hop3'), { recursive: true });
    chmodSync(join(root, 'etc'), 0o775);
    const r = install(root);
    assert.notEqual(r.status, 0);
    assert.match(r.out, /config dir: .*\/etc is writable by group or other/);
  });

  it('never creates accounts in a relocated install', () => {
    const root = fresh();
    const r = spawnSync('bash', [INSTALL, '--root', root, '--user', 'hop3-no-such-user', '--group', GROUP], { encoding: 'utf8' });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /user hop3-no-such-user does not exist/);
  });
});

const haveUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;
const haveNginx = existsSync('/usr/sbin/nginx');

describe('the installed hop3-rootd serves', { skip: skip || (!haveUnshare ? 'unshare -n unavailable' : !haveNginx ? 'nginx missing' : false) }, () => {
  let root = '';
  let child: ChildProcess | null = null;
  let stderr = '';
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'hop3-install-serve-'));
    const r = install(root);
    assert.equal(r.status, 0, r.out);
    // Point nginx and cgroups at private trees; nft runs in the throwaway network namespace.
    const ng = join(root, 'nginx');
    for (const d of ['sites', 'tmp', 'logs']) mkdirSync(join(ng, d), { recursive: true });
    writeFileSync(
      join(ng, 'nginx.conf'),
      `pid ${ng}/nginx.pid;\nerror_log ${ng}/logs/error.log;\nevents {}\nhttp {\n  access_log off;\n` +
        ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${ng}/tmp/${t};\n`).join('') +
        `  include ${ng}/sites/*.conf;\n}\n`,
    );
    mkdirSync(join(root, 'cgroup'));
    const conf = join(root, 'etc/hop3/rootd.json');
    const cfg = JSON.parse(readFileSync(conf, 'utf8')) as Record<string, unknown>;
    const port = 20000 + Math.floor(Math.random() * 9000);
    cfg['cgroup_root'] = join(root, 'cgroup');
    cfg['nginx'] = {
      binary: '/usr/sbin/nginx',
      conf: join(ng, 'nginx.conf'),
      site_dir: join(ng, 'sites'),
      prefix: ng,
      tls_dir: join(root, 'etc/hop3/tls'),
      http_port: port,
      https_port: port + 1,
      pid_file: join(ng, 'nginx.pid'),
      error_log: join(ng, 'logs/error.log'),
    };
    writeFileSync(conf, JSON.stringify(cfg, null, 2));
    child = spawn('unshare', ['-n', join(root, 'opt/hop3/bin/hop3-rootd'), 'serve', '--config', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`rootd did not become ready: ${stderr}`)), 15_000);
      child?.stdout?.on('data', (b: Buffer) => {
        if (b.toString().includes('ready')) {
          clearTimeout(t);
          resolve();
        }
      });
      child?.once('exit', (code) => reject(new Error(`rootd exited ${code}: ${stderr}`)));
    });
  });
  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(root, { recursive: true, force: true });
  });

  function call(op: string, params: Record<string, unknown>): Promise<{ ok: boolean; result?: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      const s = connect(join(root, 'run/hop3/rootd.sock'));
      let buf = '';
      s.on('data', (b) => {
        buf += b.toString();
        const nl = buf.indexOf('\n');
        if (nl >= 0) {
          s.end();
          resolve(JSON.parse(buf.slice(0, nl)) as { ok: boolean; result?: Record<string, unknown> });
        }
      });
      s.on('error', reject);
      s.write(JSON.stringify({ v: 1, id: 't1', op, params }) + '\n');
    });
  }

  it('answers daemon.handshake and daemon.health over its socket, from the bundle alone', async () => {
    const hs = await call('daemon.handshake', { client: 'install-test', protocol: 1 });
    assert.equal(hs.ok, true, JSON.stringify(hs));
    assert.equal((hs.result?.['peer'] as { uid: number }).uid, 0);
    const health = await call('daemon.health', {});
    assert.equal(health.ok, true, JSON.stringify(health));
    assert.deepEqual(health.result?.['state'], { rules: 0, mounts: 0, cgroups: 0, sites: 0 });
  });

  it('created its socket 0660 in the 0750 directory the installer made', () => {
    const st = statSync(join(root, 'run/hop3/rootd.sock'));
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o660);
  });
});
