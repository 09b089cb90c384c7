/**
 * The service unit's hardening, checked against the real kernel and the real
 * binaries, in throwaway namespaces only:
 *  - the CapabilityBoundingSet parsed from the unit is enough for nft, mount
 *    and `nginx -t`, and each capability we claim is needed really is (drop it
 *    and the command fails);
 *  - a mount made inside a namespace set up the way systemd sets one up
 *    (rslave, then rshared) never reaches the parent namespace — the reason the
 *    unit may not use ProtectSystem= & co.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listValues, readUnit } from './unit-file.ts';

const unit = readUnit(join(import.meta.dirname, '..', '..', 'deploy', 'systemd', 'hop3-rootd.service'));
const CAPS = listValues(unit, 'Service', 'CapabilityBoundingSet').map((c) => c.replace(/^CAP_/, '').toLowerCase());

const isRoot = process.getuid?.() === 0;
const have = (cmd: string, args: string[]): boolean => spawnSync(cmd, args).status === 0;
const ready = isRoot && have('setpriv', ['--version']) && have('unshare', ['-n', 'true']) && have('unshare', ['-m', 'true']);
const skip = ready ? false : 'needs root, setpriv and unshare';

/** argv running `cmd` as root whose bounding (hence permitted) set is exactly `caps`. */
function withCaps(caps: readonly string[], cmd: readonly string[]): string[] {
  const bounding = ['-all', ...caps.map((c) => `+${c}`)].join(',');
  return ['setpriv', `--bounding-set=${bounding}`, '--inh-caps=-all', '--', ...cmd];
}
const without = (cap: string): string[] => CAPS.filter((c) => c !== cap);

function run(argv: readonly string[], input?: string): { status: number | null; out: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', input: input ?? '' });
  return { status: r.status, out: (r.stdout ?? '') + (r.stderr ?? '') };
}

describe('the unit capability set against real binaries', { skip }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hop3-caps-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('is exactly the six capabilities docs/rootd.md justifies', () => {
    assert.deepEqual([...CAPS].sort(), ['chown', 'dac_override', 'kill', 'net_admin', 'net_bind_service', 'sys_admin']);
  });

  const NFT = 'add table inet hop3\nadd chain inet hop3 apps\n';
  it('lets nft create rootd\'s table in a throwaway network namespace, and nft fails without CAP_NET_ADMIN', { skip: existsSync('/usr/sbin/nft') ? false : 'no nft' }, () => {
    const ok = run(['unshare', '-n', ...withCaps(CAPS, ['/usr/sbin/nft', '-f', '-'])], NFT);
    assert.equal(ok.status, 0, ok.out);
    const denied = run(['unshare', '-n', ...withCaps(without('net_admin'), ['/usr/sbin/nft', '-f', '-'])], NFT);
    assert.notEqual(denied.status, 0);
    assert.match(denied.out, /Operation not permitted/);
  });

  it('lets mount(8) mount and unmount a tmpfs in a private mount namespace, and fails without CAP_SYS_ADMIN', () => {
    const target = join(dir, 'mnt');
    mkdirSync(target);
    const script = `mount -t tmpfs -o size=1m,nosuid,nodev,noexec hop3 ${target} && mountpoint -q ${target} && umount ${target}`;
    const ok = run(['unshare', '-m', '--propagation', 'private', ...withCaps(CAPS, ['sh', '-c', script])]);
    assert.equal(ok.status, 0, ok.out);
    const denied = run(['unshare', '-m', '--propagation', 'private', ...withCaps(without('sys_admin'), ['sh', '-c', script])]);
    assert.notEqual(denied.status, 0);
  });

  describe('nginx -t on a Debian-like layout (logs www-data 0640, listen :80)', { skip: existsSync('/usr/sbin/nginx') && have('id', ['www-data']) ? false : 'no nginx or www-data' }, () => {
    let conf = '';
    const wwwUid = Number(spawnSync('id', ['-u', 'www-data'], { encoding: 'utf8' }).stdout.trim());
    const wwwGid = Number(spawnSync('id', ['-g', 'www-data'], { encoding: 'utf8' }).stdout.trim());
    const prepare = (withTempDirs: boolean): void => {
      const ng = join(dir, `nginx-${withTempDirs ? 'a' : 'b'}-${Math.random().toString(16).slice(2)}`);
      mkdirSync(join(ng, 'logs'), { recursive: true });
      for (const f of ['error.log', 'access.log']) {
        writeFileSync(join(ng, 'logs', f), '', { mode: 0o640 });
        chownSync(join(ng, 'logs', f), wwwUid, wwwGid);
      }
      const temps = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'];
      for (const t of temps) {
        if (!withTempDirs) continue;
        mkdirSync(join(ng, t), { mode: 0o700 });
        chownSync(join(ng, t), wwwUid, wwwGid);
      }
      conf = join(ng, 'nginx.conf');
      writeFileSync(
        conf,
        `user www-data;\npid ${ng}/nginx.pid;\nerror_log ${ng}/logs/error.log;\nevents {}\nhttp {\n  access_log ${ng}/logs/access.log;\n` +
          temps.map((t) => `  ${t}_temp_path ${ng}/${t};\n`).join('') +
          '  server { listen 80 default_server; return 444; }\n}\n',
      );
      writeFileSync(join(ng, 'nginx.pid'), '');
    };
    const nginxT = (caps: readonly string[]): { status: number | null; out: string } =>
      run(['unshare', '-n', ...withCaps(caps, ['/usr/sbin/nginx', '-t', '-q', '-c', conf, '-e', join(conf, '..', 'logs', 'error.log')])]);

    it('passes with the unit set', () => {
      prepare(true);
      const r = nginxT(CAPS);
      assert.equal(r.status, 0, r.out);
    });
    it('fails without CAP_DAC_OVERRIDE (root cannot open www-data\'s 0640 logs)', () => {
      prepare(true);
      const r = nginxT(without('dac_override'));
      assert.notEqual(r.status, 0);
      assert.match(r.out, /Permission denied/);
    });
    it('fails without CAP_NET_BIND_SERVICE (nginx -t binds :80)', () => {
      prepare(true);
      const r = nginxT(without('net_bind_service'));
      assert.notEqual(r.status, 0);
      assert.match(r.out, /bind\(\) to 0\.0\.0\.0:80 failed/);
    });
    it('fails without CAP_CHOWN when its temp dirs are missing (it creates and chowns them)', () => {
      prepare(false);
      const r = nginxT(without('chown'));
      assert.notEqual(r.status, 0);
      assert.match(r.out, /chown|Operation not permitted/);
    });
  });

  it('needs CAP_KILL to signal a process of another uid (cgroup.remove fallback), and has it', () => {
    const victim = spawnSync('sh', ['-c', 'setpriv --reuid=65534 --regid=65534 --clear-groups sleep 30 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' });
    const pid = victim.stdout.trim();
    assert.match(pid, /^\d+$/);
    try {
      const denied = run(withCaps(without('kill'), ['kill', '-0', pid]));
      assert.notEqual(denied.status, 0, 'kill -0 should fail without CAP_KILL');
      const ok = run(withCaps(CAPS, ['kill', '-0', pid]));
      assert.equal(ok.status, 0, ok.out);
    } finally {
      process.kill(Number(pid), 'SIGKILL');
    }
  });
});

describe('why rootd must not get a systemd mount namespace', { skip }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'hop3-propagation-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * In a private "host" namespace, make a shared mount point S. Then, in a
   * child namespace, mount a tmpfs under S and ask whether the "host" sees it.
   * `systemdStyle` reproduces systemd's setup_namespace(): remount / rslave, then
   * back to the MountFlags= propagation (shared).
   */
  function childMountVisibleToHost(systemdStyle: boolean): boolean {
    const s = join(dir, systemdStyle ? 'sd' : 'plain');
    mkdirSync(s);
    const prep = systemdStyle ? 'mount --make-rslave / && mount --make-rshared / && ' : '';
    const host = [
      `mount -t tmpfs hop3-s ${s}`,
      `mount --make-shared ${s}`,
      `mkdir ${s}/app`,
      `unshare -m --propagation unchanged sh -c '${prep}mount -t tmpfs hop3-app ${s}/app'`,
      `if mountpoint -q ${s}/app; then echo VISIBLE; else echo HIDDEN; fi`,
    ].join(' && ');
    const r = run(['unshare', '-m', '--propagation', 'private', 'sh', '-c', host]);
    assert.equal(r.status, 0, r.out);
    return r.out.includes('VISIBLE');
  }

  it('a mount made in a namespace that shares propagation with the host is visible to the host', () => {
    assert.equal(childMountVisibleToHost(false), true);
  });

  it('a mount made in a systemd-style namespace (rslave, then rshared) stays invisible to the host', () => {
    assert.equal(childMountVisibleToHost(true), false);
  });
});
