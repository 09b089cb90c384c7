import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nginxFirstError, nginxInstanceArgs, nginxReloadArgv, nginxTestArgv } from '../../rootd/ops/nginx-argv.ts';
import { countNginx } from '../../rootd/ops/nginx.ts';
import type { MasterProbe } from '../../rootd/ops/nginx-master.ts';
import type { ExecRequest, ExecResult } from '../../rootd/exec.ts';
import { fakeExec, makeNginxEnv, type NginxEnv } from './nginx-harness.ts';

const cfg = { conf: '/etc/nginx/nginx.conf' };

test('nginx -t is built as -t -q -c <conf> when no prefix or error log is configured', () => {
  assert.deepEqual(nginxTestArgv(cfg), ['-t', '-q', '-c', '/etc/nginx/nginx.conf']);
});

test('nginx -t names the prefix and startup error log when configured', () => {
  assert.deepEqual(nginxTestArgv({ ...cfg, prefix: '/tmp/p', error_log: '/tmp/p/error.log' }), [
    '-t', '-q', '-p', '/tmp/p', '-c', '/etc/nginx/nginx.conf', '-e', '/tmp/p/error.log',
  ]);
});

test('the reload is built as [-p prefix] -c <conf> [-e log] -s reload', () => {
  assert.deepEqual(nginxReloadArgv(cfg), ['-c', '/etc/nginx/nginx.conf', '-s', 'reload']);
  assert.deepEqual(nginxReloadArgv({ ...cfg, prefix: '/tmp/p' }), ['-p', '/tmp/p', '-c', '/etc/nginx/nginx.conf', '-s', 'reload']);
  assert.deepEqual(nginxInstanceArgs({ ...cfg, error_log: '/l' }), ['-c', '/etc/nginx/nginx.conf', '-e', '/l']);
});

test('the first error line skips warnings and picks the [emerg] line', () => {
  const stderr = [
    'nginx: [warn] conflicting server name "a" on 0.0.0.0:80, ignored',
    'nginx: [emerg] cannot load certificate "/t/x.crt": PEM_read_bio_X509_AUX() failed',
    'nginx: configuration file /c test failed',
  ].join('\n');
  assert.equal(nginxFirstError(stderr), 'nginx: [emerg] cannot load certificate "/t/x.crt": PEM_read_bio_X509_AUX() failed');
  assert.equal(nginxFirstError('\n\nsomething odd\n'), 'something odd');
  assert.equal(nginxFirstError(''), 'nginx failed without output');
});

const site = { app: 'shop', hostnames: ['shop.example.com'], upstream_ports: [5000] };
const ok: ExecResult = { code: 0, stdout: '', stderr: '' };
const isTest = (r: ExecRequest): boolean => r.args.includes('-t');
const isReload = (r: ExecRequest): boolean => r.args.includes('reload');

async function withEnv(answer: Parameters<typeof fakeExec>[0], fn: (env: NginxEnv, exec: ReturnType<typeof fakeExec>) => Promise<void>, probe?: MasterProbe): Promise<void> {
  const exec = fakeExec(answer);
  const env = makeNginxEnv({ exec, reloadTimeoutMs: 300, ...(probe ? { probe } : {}) });
  try {
    await fn(env, exec);
  } finally {
    env.cleanup();
  }
}

const sitePath = (env: NginxEnv, app = 'shop'): string => join(env.config.nginx.site_dir, `${app}.conf`);

test('apply_site records the site, writes the vhost and the default server, tests, then reloads', async () => {
  await withEnv(undefined, async (env, exec) => {
    const r = await env.call('nginx.apply_site', site);
    assert.deepEqual(r, { ok: true, result: { app: 'shop', server_names: ['shop.example.com'], changed: true } });
    const { nginx } = env.config;
    assert.deepEqual(
      exec.calls.map((c) => [c.bin, ...c.args]),
      [
        ['nginx', '-t', '-q', '-c', nginx.conf],
        ['nginx', '-c', nginx.conf, '-s', 'reload'],
      ],
    );
    assert.match(readFileSync(sitePath(env), 'utf8'), /^# hop3-rootd managed: app=shop\n/);
    assert.match(readFileSync(join(nginx.site_dir, '_hop3-default.conf'), 'utf8'), /return 444;/);
    assert.deepEqual(env.state.current.nginx.sites, { shop: site });
    assert.equal(countNginx(env.deps), 1);
    // No temp or pending file is left behind.
    assert.deepEqual(readdirSync(nginx.site_dir).sort(), ['_hop3-default.conf', 'shop.conf']);
  });
});

test('re-applying the same site still tests and reloads, and reports changed=false', async () => {
  await withEnv(undefined, async (env, exec) => {
    await env.call('nginx.apply_site', site);
    const r = await env.call('nginx.apply_site', site);
    assert.equal(r.ok && r.result['changed'], false);
    assert.equal(exec.calls.length, 4);
  });
});

for (const [step, fails] of [
  ['nginx -t', isTest],
  ['the reload', isReload],
] as const) {
  test(`when ${step} fails, the previous vhost is restored byte-for-byte and the state keeps the previous site`, async () => {
    let failing = false;
    await withEnv(
      (req) => (failing && fails(req) ? { code: 1, stdout: '', stderr: 'nginx: [emerg] something is wrong in "x"\n' } : ok),
      async (env) => {
        assert.equal((await env.call('nginx.apply_site', site)).ok, true);
        // Give the previous file bytes rootd would not render, to prove the restore is byte-for-byte.
        const prevBytes = Buffer.concat([readFileSync(sitePath(env)), Buffer.from([0xff, 0x00, 0x0a])]);
        writeFileSync(sitePath(env), prevBytes);
        const defaultBefore = readFileSync(join(env.config.nginx.site_dir, '_hop3-default.conf'));
        failing = true;
        const r = await env.call('nginx.apply_site', { ...site, upstream_ports: [6000] });
        assert.equal(!r.ok && r.code, 'E_NGINX_REJECTED');
        assert.match(!r.ok ? r.message : '', /nginx: \[emerg\] something is wrong in "x"/);
        assert.ok(readFileSync(sitePath(env)).equals(prevBytes));
        assert.ok(readFileSync(join(env.config.nginx.site_dir, '_hop3-default.conf')).equals(defaultBefore));
        assert.deepEqual(env.state.current.nginx.sites, { shop: site });
        assert.deepEqual(readdirSync(env.config.nginx.site_dir).sort(), ['_hop3-default.conf', 'shop.conf']);
      },
    );
  });

  test(`when ${step} fails on a first apply, the new vhost is removed and nothing is recorded`, async () => {
    await withEnv(
      (req) => (fails(req) ? { code: 1, stdout: '', stderr: 'nginx: [emerg] bad\n' } : ok),
      async (env) => {
        const r = await env.call('nginx.apply_site', site);
        assert.equal(!r.ok && r.code, 'E_NGINX_REJECTED');
        assert.equal(existsSync(sitePath(env)), false);
        assert.equal(existsSync(join(env.config.nginx.site_dir, '_hop3-default.conf')), false);
        assert.deepEqual(env.state.current.nginx.sites, {});
        assert.deepEqual(readdirSync(env.config.nginx.site_dir), []);
      },
    );
  });
}

test('when the reload fails on remove_site, the vhost comes back byte-for-byte and stays in state', async () => {
  let failing = false;
  await withEnv(
    (req) => (failing && isReload(req) ? { code: 1, stdout: '', stderr: 'nginx: [error] open() "/run/nginx.pid" failed\n' } : ok),
    async (env) => {
      await env.call('nginx.apply_site', site);
      const before = readFileSync(sitePath(env));
      failing = true;
      const r = await env.call('nginx.remove_site', { app: 'shop' });
      assert.equal(!r.ok && r.code, 'E_NGINX_REJECTED');
      assert.ok(readFileSync(sitePath(env)).equals(before));
      assert.deepEqual(Object.keys(env.state.current.nginx.sites), ['shop']);
    },
  );
});

test('remove_site removes the vhost and the record, and is idempotent', async () => {
  await withEnv(undefined, async (env, exec) => {
    await env.call('nginx.apply_site', site);
    assert.deepEqual(await env.call('nginx.remove_site', { app: 'shop' }), { ok: true, result: { removed: true } });
    assert.equal(existsSync(sitePath(env)), false);
    assert.deepEqual(env.state.current.nginx.sites, {});
    const calls = exec.calls.length;
    assert.deepEqual(await env.call('nginx.remove_site', { app: 'shop' }), { ok: true, result: { removed: false } });
    assert.equal(exec.calls.length, calls);
  });
});

test('remove_site never deletes an unmarked <app>.conf written by the operator', async () => {
  await withEnv(undefined, async (env, exec) => {
    writeFileSync(sitePath(env), 'server { listen 80; }\n');
    assert.deepEqual(await env.call('nginx.remove_site', { app: 'shop' }), { ok: true, result: { removed: false } });
    assert.equal(readFileSync(sitePath(env), 'utf8'), 'server { listen 80; }\n');
    assert.equal(exec.calls.length, 0);
  });
});

test('scaling re-applies the site with every copy\'s port: the group lists them all, and the same list again changes nothing', async () => {
  await withEnv(undefined, async (env) => {
    assert.equal((await env.call('nginx.apply_site', site)).ok, true);
    const scaled = { ...site, upstream_ports: [5000, 5001, 5002] };
    const r = await env.call('nginx.apply_site', scaled);
    assert.equal(r.ok && r.result['changed'], true);
    const text = readFileSync(sitePath(env), 'utf8');
    assert.deepEqual(text.match(/server 127\.0\.0\.1:\d+/g), ['server 127.0.0.1:5000', 'server 127.0.0.1:5001', 'server 127.0.0.1:5002']);
    assert.deepEqual(env.state.current.nginx.sites['shop'], scaled);
    const again = await env.call('nginx.apply_site', { ...scaled, upstream_ports: [5000, 5001, 5002] });
    assert.equal(again.ok && again.result['changed'], false);
  });
});

test('list_sites returns the applied params and whether each file matches its rendering', async () => {
  await withEnv(undefined, async (env) => {
    await env.call('nginx.apply_site', site);
    await env.call('nginx.apply_site', { app: 'blog', hostnames: ['blog.example.com'], upstream_ports: [5001] });
    writeFileSync(sitePath(env, 'blog'), '# hop3-rootd managed: app=blog\n# edited by hand\n');
    const r = await env.call('nginx.list_sites', {});
    assert.deepEqual(r.ok && r.result['sites'], [
      { app: 'blog', hostnames: ['blog.example.com'], upstream_ports: [5001], in_sync: false },
      { ...site, in_sync: true },
    ]);
  });
});

test('applies are serialized: two concurrent applies never interleave their test and reload', async () => {
  const log: string[] = [];
  await withEnv(
    async (req) => {
      log.push(`start ${req.args.includes('-t') ? 'test' : 'reload'}`);
      await new Promise((r) => setTimeout(r, 20));
      log.push('end');
      return ok;
    },
    async (env) => {
      const [a, b] = await Promise.all([
        env.call('nginx.apply_site', site),
        env.call('nginx.apply_site', { app: 'blog', hostnames: ['blog.example.com'], upstream_ports: [5001] }),
      ]);
      assert.equal(a.ok && b.ok, true);
      assert.deepEqual(log, ['start test', 'end', 'start reload', 'end', 'start test', 'end', 'start reload', 'end']);
    },
  );
});

test('reconcile rewrites a drifted vhost, writes the default server, removes stray marked files and keeps unmarked ones, reloading once', async () => {
  await withEnv(undefined, async (env, exec) => {
    await env.call('nginx.apply_site', site);
    const dir = env.config.nginx.site_dir;
    const good = readFileSync(sitePath(env), 'utf8');
    writeFileSync(sitePath(env), good.replace('5000', '5999'));
    writeFileSync(join(dir, 'ghost.conf'), '# hop3-rootd managed: app=ghost\nserver {}\n');
    writeFileSync(join(dir, 'shop.conf.tmp-4242'), '# hop3-rootd managed: app=shop\n');
    writeFileSync(join(dir, 'operator.conf'), '# the operator\'s own file\nserver {}\n');
    writeFileSync(join(dir, 'sneaky.conf'), '#  hop3-rootd managed: app=sneaky\n'); // not exactly the marker
    const before = exec.calls.length;
    const report = await env.reconcile();
    assert.deepEqual(report.errors, []);
    assert.equal(readFileSync(sitePath(env), 'utf8'), good);
    assert.deepEqual(readdirSync(dir).sort(), ['_hop3-default.conf', 'operator.conf', 'shop.conf', 'sneaky.conf']);
    assert.equal(readFileSync(join(dir, 'operator.conf'), 'utf8'), '# the operator\'s own file\nserver {}\n');
    assert.deepEqual(exec.calls.slice(before).map((c) => c.args[0] === '-t' ? 'test' : 'reload'), ['test', 'reload']);
    assert.equal(report.changes.filter((c) => c.startsWith('removed')).length, 2);
    assert.ok(report.changes.some((c) => c.startsWith('rewrote') && c.endsWith('shop.conf')));
  });
});

test('reconcile with nothing to change runs no command', async () => {
  await withEnv(undefined, async (env, exec) => {
    await env.call('nginx.apply_site', site);
    const before = exec.calls.length;
    assert.deepEqual(await env.reconcile(), { changes: [], errors: [] });
    assert.equal(exec.calls.length, before);
  });
});

test('a swap interrupted by a crash (pending mark left) makes reconcile test and reload even with no file change', async () => {
  await withEnv(undefined, async (env, exec) => {
    await env.call('nginx.apply_site', site);
    writeFileSync(join(env.config.nginx.site_dir, '.hop3-reload-pending'), 'x');
    const before = exec.calls.length;
    const report = await env.reconcile();
    assert.equal(exec.calls.length - before, 2);
    assert.ok(report.changes.some((c) => c.includes('interrupted')));
    assert.equal(existsSync(join(env.config.nginx.site_dir, '.hop3-reload-pending')), false);
  });
});

test('reconcile that nginx -t rejects restores every file and reports the error', async () => {
  let failing = false;
  await withEnv(
    (req) => (failing && isTest(req) ? { code: 1, stdout: '', stderr: 'nginx: [emerg] no\n' } : ok),
    async (env) => {
      await env.call('nginx.apply_site', site);
      const ghost = join(env.config.nginx.site_dir, 'ghost.conf');
      writeFileSync(ghost, '# hop3-rootd managed: app=ghost\n');
      failing = true;
      const report = await env.reconcile();
      assert.deepEqual(report.changes, []);
      assert.match(report.errors[0] ?? '', /E?nginx: \[emerg\] no/);
      assert.equal(existsSync(ghost), true);
    },
  );
});

const deadMaster: MasterProbe = { masterPid: async () => null, children: async () => new Set() };

test('with a pid file configured and no nginx running, apply_site is rejected and nothing stays applied', async () => {
  await withEnv(undefined, async (env, exec) => {
    const r = await env.call('nginx.apply_site', site);
    assert.equal(!r.ok && r.code, 'E_NGINX_REJECTED');
    assert.match(!r.ok ? r.message : '', /not running/);
    assert.deepEqual(exec.calls.map((c) => c.args[0]), ['-t']);
    assert.equal(existsSync(sitePath(env)), false);
  }, deadMaster);
});

test('with no nginx running, reconcile writes and tests the files but does not reload', async () => {
  await withEnv(undefined, async (env, exec) => {
    const report = await env.reconcile();
    assert.deepEqual(report.errors, []);
    assert.deepEqual(exec.calls.map((c) => c.args[0]), ['-t']);
    assert.ok(existsSync(join(env.config.nginx.site_dir, '_hop3-default.conf')));
  }, deadMaster);
});

test('a reload after which the master starts no new workers is rejected and rolled back', async () => {
  const stuck: MasterProbe = { masterPid: async () => 4242, children: async () => new Set([4243]) };
  await withEnv(undefined, async (env) => {
    const r = await env.call('nginx.apply_site', site);
    assert.equal(!r.ok && r.code, 'E_NGINX_REJECTED');
    assert.match(!r.ok ? r.message : '', /did not start new workers/);
    assert.equal(existsSync(sitePath(env)), false);
  }, stuck);
});

test('a reload confirmed by a new worker generation succeeds', async () => {
  let gen = 0;
  const probe: MasterProbe = {
    masterPid: async () => 4242,
    children: async () => new Set([gen === 0 ? 100 : 200]),
  };
  await withEnv(
    (req) => {
      if (isReload(req)) gen = 1;
      return ok;
    },
    async (env) => {
      assert.equal((await env.call('nginx.apply_site', site)).ok, true);
    },
    probe,
  );
});

let currentSitePath = '/nonexistent';
test('after a crash mid-apply of a site nginx rejects, reconcile reverts that record and converges on the previous site', async () => {
  await withEnv(
    // nginx rejects any configuration in which the shop vhost points at 6000.
    (req) => (isTest(req) && readFileSync(currentSitePath, 'utf8').includes('127.0.0.1:6000 ') ? { code: 1, stdout: '', stderr: 'nginx: [emerg] rejected\n' } : ok),
    async (env, exec) => {
      currentSitePath = sitePath(env);
      assert.equal((await env.call('nginx.apply_site', site)).ok, true);
      const good = readFileSync(sitePath(env));
      // The crash: the new record is in state, the candidate is in place, the pending mark names the old record.
      await env.state.update((d) => {
        d.nginx.sites['shop'] = { ...site, upstream_ports: [6000] };
      });
      writeFileSync(sitePath(env), good.toString('utf8').replace('127.0.0.1:5000 ', '127.0.0.1:6000 '));
      writeFileSync(join(env.config.nginx.site_dir, '.hop3-reload-pending'), JSON.stringify({ note: 'x', app: 'shop', prev: site }));
      const before = exec.calls.length;
      const report = await env.reconcile();
      assert.match(report.changes[0] ?? '', /reverted the interrupted change to site shop/);
      assert.deepEqual(env.state.current.nginx.sites, { shop: site });
      assert.ok(readFileSync(sitePath(env)).equals(good));
      assert.deepEqual(exec.calls.slice(before).map((c) => (isTest(c) ? 'test' : 'reload')), ['test', 'test', 'reload']);
      assert.equal(existsSync(join(env.config.nginx.site_dir, '.hop3-reload-pending')), false);
    },
  );
});

test('apply_site never overwrites an operator file that happens to be named <app>.conf, and reconcile leaves it too', async () => {
  const exec = fakeExec();
  const env = makeNginxEnv({ exec });
  try {
    const operatorFile = join(env.config.nginx.site_dir, 'web.conf');
    const mine = '# the operator\'s own gzip settings\ngzip on;\n';
    writeFileSync(operatorFile, mine);
    const rep = await env.call('nginx.apply_site', { app: 'web', hostnames: ['web.example.com'], upstream_ports: [24001] });
    assert.equal(rep.ok, false);
    assert.equal(rep.ok ? '' : rep.code, 'E_NGINX_SITE_CONFLICT');
    assert.equal(readFileSync(operatorFile, 'utf8'), mine);
    assert.deepEqual(env.state.current.nginx.sites, {});
    // Even if state names the app (e.g. an older rootd wrote it), reconcile reports and keeps the file.
    await env.state.update((d) => {
      d.nginx.sites['web'] = { app: 'web', hostnames: ['web.example.com'], upstream_ports: [24001] };
    });
    const r = await env.reconcile();
    assert.ok(r.errors.some((e) => /not a rootd-managed site file/.test(e)), JSON.stringify(r));
    assert.equal(readFileSync(operatorFile, 'utf8'), mine);
  } finally {
    env.cleanup();
  }
});
