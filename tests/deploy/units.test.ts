/**
 * The systemd units of hop3-rootd: the directives rootd relies on are present,
 * the ones its mount/cgroup/firewall duties forbid are absent, the units agree
 * with the example config and the tmpfiles rule, and — where systemd-analyze
 * is installed — systemd itself accepts them without a warning.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { listValues, parseUnit, readUnit, value } from './unit-file.ts';

const DEPLOY = join(import.meta.dirname, '..', '..', 'deploy');
const service = readUnit(join(DEPLOY, 'systemd', 'hop3-rootd.service'));
const socket = readUnit(join(DEPLOY, 'systemd', 'hop3-rootd.socket'));
const example = JSON.parse(readFileSync(join(DEPLOY, 'rootd.example.json'), 'utf8')) as {
  socket: { path: string; group: string };
};

/** Settings that give the unit its own mount namespace (systemd's exec_needs_mount_namespace), or are otherwise forbidden. */
const FORBIDDEN = [
  'PrivateMounts',
  'ProtectSystem',
  'ProtectHome',
  'ReadWritePaths',
  'ReadOnlyPaths',
  'InaccessiblePaths',
  'BindPaths',
  'BindReadOnlyPaths',
  'TemporaryFileSystem',
  'PrivateTmp',
  'PrivateDevices',
  'ProtectKernelTunables',
  'ProtectKernelModules',
  'ProtectKernelLogs',
  'ProtectControlGroups',
  'ProtectProc',
  'ProcSubset',
  'PrivateIPC',
  'PrivateNetwork',
  'NetworkNamespacePath',
  'PrivateUsers',
  'RootDirectory',
  'RootImage',
  'DynamicUser',
  'LogNamespace',
];

describe('hop3-rootd.socket', () => {
  it('listens on /run/hop3/rootd.sock, 0660 root:hop3, in a 0750 directory', () => {
    assert.equal(value(socket, 'Socket', 'ListenStream'), '/run/hop3/rootd.sock');
    assert.equal(value(socket, 'Socket', 'SocketMode'), '0660');
    assert.equal(value(socket, 'Socket', 'SocketUser'), 'root');
    assert.equal(value(socket, 'Socket', 'SocketGroup'), 'hop3');
    assert.equal(value(socket, 'Socket', 'DirectoryMode'), '0750');
    assert.equal(value(socket, 'Socket', 'Accept') ?? 'no', 'no', 'rootd serves one listening fd, not one process per connection');
    assert.deepEqual(socket.get('Socket')?.get('ListenStream'), ['/run/hop3/rootd.sock'], 'rootd accepts exactly one activated socket');
  });

  it('uses the socket path and group of the example config', () => {
    assert.equal(value(socket, 'Socket', 'ListenStream'), example.socket.path);
    assert.equal(value(socket, 'Socket', 'SocketGroup'), example.socket.group);
  });

  it('is backed by a tmpfiles rule creating the socket directory root:hop3 0750 (systemd alone would make it root:root)', () => {
    const rules = readFileSync(join(DEPLOY, 'systemd', 'hop3-rootd.tmpfiles'), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'))
      .map((l) => l.trim().split(/\s+/));
    assert.deepEqual(rules, [['d', dirname(example.socket.path), '0750', 'root', example.socket.group, '-']]);
  });
});

describe('hop3-rootd.service', () => {
  it('runs the installed launcher as root with the installed config', () => {
    assert.equal(value(service, 'Service', 'ExecStart'), '/opt/hop3/bin/hop3-rootd serve --config /etc/hop3/rootd.json');
    assert.equal(value(service, 'Service', 'User'), 'root');
    assert.match(value(service, 'Unit', 'Requires') ?? '', /hop3-rootd\.socket/);
    assert.equal(value(service, 'Install', 'WantedBy'), 'multi-user.target', 'rootd reconciles at boot, not at the first connection');
  });

  it('sets none of the options that would put rootd in a private mount namespace (its mounts must reach the apps)', () => {
    const section = service.get('Service');
    assert.ok(section);
    for (const key of FORBIDDEN) assert.equal(section.get(key), undefined, `${key}= must not be set`);
    const mountFlags = value(service, 'Service', 'MountFlags');
    assert.ok(mountFlags === undefined || mountFlags === 'shared', 'MountFlags= other than shared creates a namespace');
  });

  it('bounds capabilities to exactly what the ops need', () => {
    assert.deepEqual(listValues(service, 'Service', 'CapabilityBoundingSet').sort(), [
      'CAP_CHOWN',
      'CAP_DAC_OVERRIDE',
      'CAP_KILL',
      'CAP_NET_ADMIN',
      'CAP_NET_BIND_SERVICE',
      'CAP_SYS_ADMIN',
    ]);
    assert.equal(value(service, 'Service', 'AmbientCapabilities'), '');
  });

  it('applies every hardening that does not need a mount namespace', () => {
    const expect: Record<string, string> = {
      NoNewPrivileges: 'yes',
      RestrictNamespaces: 'yes',
      RestrictRealtime: 'yes',
      RestrictSUIDSGID: 'yes',
      LockPersonality: 'yes',
      SystemCallArchitectures: 'native',
      ProtectClock: 'yes',
      ProtectHostname: 'yes',
      DevicePolicy: 'closed',
      UMask: '0077',
      KeyringMode: 'private',
      IPAddressDeny: 'any',
      // Off on purpose: V8's JIT makes written pages executable.
      MemoryDenyWriteExecute: 'no',
    };
    for (const [k, v] of Object.entries(expect)) assert.equal(value(service, 'Service', k), v, `${k}=`);
    assert.deepEqual(listValues(service, 'Service', 'RestrictAddressFamilies').sort(), ['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
  });

  it('allows the mount syscalls and denies module, raw-io, reboot, swap and clock syscalls', () => {
    const filters = service.get('Service')?.get('SystemCallFilter') ?? [];
    const allow = filters.filter((f) => !f.startsWith('~')).flatMap((f) => f.split(/\s+/));
    const deny = filters.filter((f) => f.startsWith('~')).flatMap((f) => f.slice(1).split(/\s+/));
    assert.ok(allow.includes('@system-service') && allow.includes('@mount'));
    for (const g of ['@module', '@raw-io', '@reboot', '@swap', '@clock']) assert.ok(deny.includes(g), `${g} denied`);
  });

  it('clears the environment variable of the test-only crash hook that bin.ts reads', () => {
    const bin = readFileSync(join(import.meta.dirname, '..', '..', 'rootd', 'bin.ts'), 'utf8');
    const hookVar = /process\.env\['(HOP3_ROOTD_TEST_[A-Z_]+)'\]/.exec(bin)?.[1];
    assert.ok(hookVar, 'bin.ts reads a HOP3_ROOTD_TEST_* variable');
    assert.ok(listValues(service, 'Service', 'UnsetEnvironment').includes(hookVar));
  });

  it('documents in its comments why each forbidden protection is off', () => {
    const text = readFileSync(join(DEPLOY, 'systemd', 'hop3-rootd.service'), 'utf8');
    for (const k of ['PrivateMounts=', 'ProtectSystem=', 'ProtectControlGroups=', 'PrivateNetwork=', 'MemoryDenyWriteExecute=']) {
      assert.ok(text.includes(k), `comment mentions ${k}`);
    }
  });

  it('the parser rejects a line that is not Key=Value, so the checks above cannot pass on garbage', () => {
    assert.throws(() => parseUnit('[Service]\nProtectSystem strict\n'));
  });
});

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const haveAnalyze = analyze.status === 0;

describe('systemd-analyze', { skip: haveAnalyze ? false : 'systemd-analyze is not installed (apt-get install systemd)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hop3-units-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // verify also checks that ExecStart= is executable: point it at a stand-in in the temp dir.
  const launcher = join(dir, 'hop3-rootd');
  writeFileSync(launcher, '#!/bin/sh\n');
  chmodSync(launcher, 0o755);
  const text = readFileSync(join(DEPLOY, 'systemd', 'hop3-rootd.service'), 'utf8').replace('/opt/hop3/bin/hop3-rootd', launcher);
  writeFileSync(join(dir, 'hop3-rootd.service'), text);
  copyFileSync(join(DEPLOY, 'systemd', 'hop3-rootd.socket'), join(dir, 'hop3-rootd.socket'));

  it('verify accepts both units without a single warning', () => {
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, 'hop3-rootd.socket'), join(dir, 'hop3-rootd.service')], {
      encoding: 'utf8',
    });
    assert.equal(r.stderr, '', r.stderr);
    assert.equal(r.status, 0);
  });

  it('verify does flag an unknown directive (the check above can fail)', () => {
    const bad = join(dir, 'bad.service');
    writeFileSync(bad, text.replace('[Service]', '[Service]\nProtectSytem=strict'));
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', bad], { encoding: 'utf8' });
    assert.match(r.stderr, /Unknown key 'ProtectSytem'/);
  });

  it('security --offline rates the service below 5.0 (exposure, lower is better)', () => {
    const out = execFileSync('systemd-analyze', ['security', '--offline=true', join(dir, 'hop3-rootd.service')], { encoding: 'utf8' });
    const m = /Overall exposure level for hop3-rootd\.service: (\d+\.\d)/.exec(out);
    assert.ok(m, out);
    const score = Number(m[1]);
    console.log(`# systemd-analyze security exposure: ${score}`);
    assert.ok(score < 5.0, `exposure ${score}`);
  });
});
