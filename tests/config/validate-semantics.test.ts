import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { validateConfigText } from '../../shared-protocol/config/index.ts';

const v = (text: string, file = 'hop3.toml', extraPgExtensions: string[] = []) =>
  validateConfigText(text, file, { extraPgExtensions });
const codes = (text: string) => v(text).diagnostics.map((d) => d.code);

describe('validation semantics', () => {
  it('produces the shared EnvConfig shape for every [env] form', () => {
    const { config } = v(
      '[env]\n_policy = "override"\nA = "x"\nN = 3\nG = { generate = "base64", length = 32, prefix = "base64:" }\n' +
        'R = { from = "db", key = "PGHOST" }\nF = { key = "name" }\nIP = { external_ip = true, family = "v6" }\n[env.computed]\nU = "${A}/x"\n',
    );
    assert.deepEqual(config?.env, {
      policy: 'override',
      vars: {
        A: { kind: 'static', value: 'x' },
        N: { kind: 'static', value: '3' },
        G: { kind: 'generate', generate: 'base64', display: false, length: 32, prefix: 'base64:' },
        R: { kind: 'ref', from: 'db', key: 'PGHOST' },
        F: { kind: 'ref', key: 'name' },
        IP: { kind: 'external_ip', family: 'v6' },
      },
      computed: { U: '${A}/x' },
    });
  });

  it('suggests the closest key for a misspelt one', () => {
    const d = v('[run]\nstrat = "x"\n').diagnostics[0];
    assert.equal(d?.code, 'E_CONFIG_UNKNOWN_KEY');
    assert.match(d?.message ?? '', /did you mean "start"/);
    assert.deepEqual([d?.line, d?.column], [2, 1]);
  });

  it('accepts an underscore alias of a dashed key with a warning', () => {
    const r = v('[run]\nstart_timeout = 30\n');
    assert.equal(r.config?.run.startTimeout, 30);
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['W_CONFIG_KEY_ALIAS']);
  });

  it('enables an extra PostgreSQL extension only through the option passed in, never a hard-denied one', () => {
    const text = '[[addons]]\ntype = "postgres"\nextensions = ["pg_partman"]\n';
    assert.equal(v(text).config, null);
    assert.notEqual(v(text, 'hop3.toml', ['pg_partman']).config, null);
    assert.equal(v('[[addons]]\ntype = "postgres"\nextensions = ["dblink"]\n', 'hop3.toml', ['dblink']).config, null);
  });

  it('rejects tmpfs volumes whose sizes add up to exactly the memory limit, and accepts them below it', () => {
    const vol = (size: string, n: string) => `[[volumes]]\nname = "${n}"\ntarget = "${n}"\ntype = "tmpfs"\nsize = "${size}"\n`;
    assert.ok(codes(`[limits]\nmemory = "1G"\n${vol('512M', 'a')}${vol('512M', 'b')}`).includes('E_CONFIG_TMPFS_OVER_MEMORY'));
    assert.notEqual(v(`[limits]\nmemory = "1G"\n${vol('512M', 'a')}${vol('511M', 'b')}`).config, null);
  });

  it('backs up persist volumes by default, bind volumes only on opt-in, tmpfs never', () => {
    const { config } = v(
      '[[volumes]]\nname = "p"\ntarget = "p"\n[[volumes]]\nname = "b"\ntarget = "b"\ntype = "bind"\nsource = "/srv/b"\n' +
        '[[volumes]]\nname = "t"\ntarget = "t"\ntype = "tmpfs"\nsize = "1M"\n',
    );
    assert.deepEqual(config?.volumes.map((x) => [x.name, x.backup]), [['p', true], ['b', false], ['t', false]]);
  });

  it('parses memory sizes with K/M/G suffixes or plain bytes', () => {
    assert.equal(v('[limits]\nmemory = "512M"\n').config?.limits?.memoryBytes, 512 * 1024 ** 2);
    assert.equal(v('[limits]\nmemory = "2g"\n').config?.limits?.memoryBytes, 2 * 1024 ** 3);
    assert.equal(v('[limits]\nmemory = 1048576\n').config?.limits?.memoryBytes, 1048576);
  });

  it('treats a schedule as enabling backups and keeps retention days and keep-last', () => {
    const { config } = v('[backup]\nschedule = "0 2 * * *"\nretention = { days = 7, keep-last = 3 }\n');
    assert.deepEqual(config?.backup, { enabled: true, schedule: '0 2 * * *', retention: { days: 7, keepLast: 3 }, paths: [], exclude: [] });
  });

  it('reports every error of a file, not only the first', () => {
    const c = codes('[run]\nstart = ""\n[[ports]]\nnumber = 22\n[limits]\ncpu = 0\n');
    assert.deepEqual(c.sort(), ['E_CONFIG_EMPTY_COMMAND', 'E_CONFIG_PORT_RESERVED', 'E_CONFIG_RANGE']);
  });

  it('gives the same normalized config from TOML, YAML and JSON', () => {
    const t = v('[run]\nstart = "a"\n[[addons]]\ntype = "redis"\n[limits]\ncpu = 1.5\n').config;
    const y = v('run:\n  start: a\naddons:\n  - type: redis\nlimits:\n  cpu: 1.5\n', 'hop3.yaml').config;
    const j = v('{"run": {"start": "a"}, "addons": [{"type": "redis"}], "limits": {"cpu": 1.5}}', 'hop3.json').config;
    assert.deepEqual(y, t);
    assert.deepEqual(j, t);
  });

  it('points YAML and JSON errors at the offending key', () => {
    const y = v('run:\n  start: a\nlimits:\n  cpu: 0\n', 'hop3.yaml').diagnostics[0];
    assert.deepEqual([y?.line, y?.column, y?.path], [4, 3, 'limits.cpu']);
    const j = v('{\n  "limits": {\n    "cpu": 0\n  }\n}', 'hop3.json').diagnostics[0];
    assert.deepEqual([j?.line, j?.column, j?.path], [3, 5, 'limits.cpu']);
  });
});
