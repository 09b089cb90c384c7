import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { daemonShellText, isCompound } from '../../server/runtime/command.ts';
import { iniValue, kvlistValue, referencedKeys } from '../../server/runtime/ini-escape.ts';
import { parseVassalFileName, vassalFileName } from '../../server/runtime/names.ts';
import { readVassalMeta, renderVassal, type VassalSpec } from '../../server/runtime/vassal.ts';
import { emulatedEnv, emulateIni } from './runtime-uwsgi-emulator.ts';

const GOLDEN = join(import.meta.dirname, 'runtime-golden');

const base: VassalSpec = {
  app: 'shop', release: 'r7', type: 'web', index: 1, command: 'node server.js',
  cwd: '/var/lib/hop3/apps/shop/releases/r7', env: { NODE_ENV: 'production', GREETING: 'hello world' }, port: 20123,
  logFile: '/var/log/hop3/apps/shop/shop__r7__web__1.log', pidFile: '/run/hop3/vassals/shop__r7__web__1.pid',
};

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isHop3Error(e)) return e.code;
    throw e;
  }
  return 'no error';
}

describe('rendering a vassal', () => {
  it('renders a web process exactly as the golden file', () => {
    const r = renderVassal(base);
    assert.equal(r.fileName, 'shop__r7__web__1.ini');
    assert.equal(r.text, readFileSync(join(GOLDEN, 'web.ini'), 'utf8'));
  });

  it('renders a worker with a system user, no PORT and its own timings exactly as the golden file', () => {
    const { port: _port, ...noPort } = base;
    const r = renderVassal({
      ...noPort, type: 'worker', index: 2, command: 'FOO=1 python3 worker.py --queue a,b',
      env: { PORT: '9', TRICKY: '50% $(HOME) @(exec://id) ' }, user: 'app-shop', group: 'app-shop',
      logFile: '/var/log/hop3/apps/shop/shop__r7__worker__2.log', pidFile: '/run/hop3/vassals/shop__r7__worker__2.pid',
      killTimeoutSec: 30, maxThrottleSec: 5, logMaxBytes: 1048576,
    });
    assert.equal(r.text, readFileSync(join(GOLDEN, 'worker.ini'), 'utf8'));
  });

  it('is a pure function: the same fields give the same text, whatever the env key order', () => {
    const a = renderVassal({ ...base, env: { B: '2', A: '1' } });
    const b = renderVassal({ ...base, env: { A: '1', B: '2' } });
    assert.equal(a.text, b.text);
  });

  it('records app, release, process and port in a meta line that reads back', () => {
    assert.deepEqual(readVassalMeta(renderVassal(base).text), { v: 1, app: 'shop', release: 'r7', type: 'web', index: 1, port: 20123 });
    assert.equal(readVassalMeta('[uwsgi]\nmaster = true\n'), null);
    assert.equal(readVassalMeta('; hop3-meta {"v":2}\n'), null);
  });

  it('sets exactly the expected options, in the [uwsgi] section, once each except env', () => {
    const keys = emulateIni(renderVassal(base).text, {}).map(([k]) => k);
    assert.deepEqual(keys, [
      'strict', 'master', 'procname-master', 'pidfile', 'vacuum', 'die-on-term', 'chdir',
      'env', 'env', 'env', 'attach-daemon2', 'reload-mercy', 'logto', 'log-master', 'log-master-stream', 'log-maxsize', 'log-backupname',
    ]);
  });
});

describe('vassal names', () => {
  it('encode app, release, process type and index, and parse back', () => {
    for (const id of [
      { app: 'a', release: 'r1', type: 'web', index: 1 },
      { app: 'my-app-2', release: '20261121T2133.4', type: 'my__job', index: 12 },
      { app: 'x', release: 'R', type: 'x_', index: 999 },
      { app: 'x', release: 'R', type: '_x', index: 3 },
    ]) {
      assert.deepEqual(parseVassalFileName(vassalFileName(id)), id);
    }
  });

  it('refuse ids that could not name a file or would parse ambiguously', () => {
    const bad: Array<[string, Partial<VassalSpec>]> = [
      ['upper-case app', { app: 'Shop' }], ['underscore in app', { app: 'my_app' }], ['slash in app', { app: 'a/b' }],
      ['dot-dot release', { release: '..' }], ['underscore in release', { release: 'r_1' }], ['empty type', { type: '' }],
      ['dot in type', { type: 'web.1' }], ['index 0', { index: 0 }], ['index 1000', { index: 1000 }], ['fractional index', { index: 1.5 }],
    ];
    for (const [why, patch] of bad) assert.equal(code(() => renderVassal({ ...base, ...patch })), 'E_RUNTIME_INVALID_NAME', why);
  });

  it('ignore temp files and foreign files in the vassal directory', () => {
    for (const name of ['.shop__r7__web__1.ini.ab12.tmp', 'shop__r7__web__1.ini~', 'emperor.ini', 'shop__r7__web__0.ini', 'shop__r7__web__1.xml']) {
      assert.equal(parseVassalFileName(name), null, name);
    }
  });
});

describe('env and paths in a vassal', () => {
  it('refuses env names that are not portable', () => {
    for (const key of ['1A', 'A-B', 'A B', '', 'A=B', 'Ä']) assert.equal(code(() => renderVassal({ ...base, env: { [key]: 'x' } })), 'E_RUNTIME_ENV_KEY', key);
  });

  it('refuses PORT in the env of a web process, and lets a worker have one', () => {
    assert.equal(code(() => renderVassal({ ...base, env: { PORT: '80' } })), 'E_RUNTIME_ENV_RESERVED');
    const { port: _p, ...worker } = base;
    assert.equal(emulatedEnv(renderVassal({ ...worker, type: 'worker', env: { PORT: '80' } }).text)['PORT'], '80');
  });

  it('refuses values that cannot be represented, without echoing the value', () => {
    for (const tail of ['\nb', '\rb', '\0b', 'x%(chdir)', '%(env)', '%(ini)', 'y%(hop3_dollar)z', '%(attach-daemon2)']) {
      const value = `s3cr3t${tail}`;
      let message = '';
      assert.equal(code(() => {
        try {
          renderVassal({ ...base, env: { SECRET: value } });
        } catch (e) {
          message = (e as Error).message;
          throw e;
        }
      }), 'E_RUNTIME_UNREPRESENTABLE', JSON.stringify(value));
      assert.match(message, /env SECRET/);
      assert.ok(!message.includes('s3cr3t'), 'the value stays out of the message');
    }
  });

  it('keeps references to names the vassal does not define, such as Python logging formats', () => {
    const value = '%(asctime)s %(levelname)s %(message)s';
    assert.equal(emulatedEnv(renderVassal({ ...base, env: { LOG_FORMAT: value } }).text)['LOG_FORMAT'], value);
  });

  it('neutralizes $(...), @(...), % and trailing blanks so they reach the app literally', () => {
    const env = {
      A: '$(HOME)', B: '@(exec://id)', C: '100% %k %%', D: 'trailing  ', E: ' leading', F: '"double" \'single\' `tick`',
      G: 'a,b\\c;d#e', H: 'ünïcødé €', I: '', J: '$$((x)) @@(y) %$(z)', K: 'tab\t',
    };
    assert.deepEqual(emulatedEnv(renderVassal({ ...base, env }).text), { ...env, PORT: '20123' });
  });

  it('cannot be made to set another option through a value (ini injection)', () => {
    const attacks = [
      'x\nattach-daemon = touch /tmp/pwned', 'x\r\n[uwsgi]\nuid = root', 'x\u0000\nchdir = /', '%(attach-daemon2)',
    ];
    for (const value of attacks) assert.equal(code(() => renderVassal({ ...base, env: { V: value } })), 'E_RUNTIME_UNREPRESENTABLE');
    const survived = renderVassal({ ...base, env: { V: 'x = y\n'.trim(), W: '[uwsgi] ; # attach-daemon = x' } });
    const keys = emulateIni(survived.text, {}).map(([k]) => k);
    assert.equal(keys.filter((k) => k === 'attach-daemon' || k === 'uid').length, 0);
  });

  it('for any value, either refuses it or writes it so that uWSGI reads it back unchanged', () => {
    const alphabet = fc.constantFrom('%', '$', '@', '(', ')', ' ', '\t', '=', ',', '\\', 'a', 'k', 'H', 'O', 'M', 'E', 'env', 'chdir', 'ini', '\n', ';', '"');
    fc.assert(fc.property(fc.array(alphabet, { maxLength: 24 }).map((a) => a.join('')), (value) => {
      let text: string;
      try {
        text = renderVassal({ ...base, env: { V: value } }).text;
      } catch (e) {
        return isHop3Error(e) && e.code === 'E_RUNTIME_UNREPRESENTABLE';
      }
      return emulatedEnv(text)['V'] === value;
    }), { numRuns: 3000 });
  });

  it('refuses relative or unnormalized paths', () => {
    for (const cwd of ['relative/dir', '/a/../b', '/a/./b', '/a//b', '/a/', '']) assert.equal(code(() => renderVassal({ ...base, cwd })), 'E_RUNTIME_PATH', cwd);
    assert.equal(code(() => renderVassal({ ...base, logFile: 'x.log' })), 'E_RUNTIME_PATH');
  });

  it('refuses user and group names that are not POSIX names', () => {
    for (const user of ['Root', 'a b', 'a:b', '-x', 'x'.repeat(33)]) assert.equal(code(() => renderVassal({ ...base, user })), 'E_RUNTIME_INVALID_NAME', user);
  });
});

describe('the command a vassal runs', () => {
  it('execs a simple command so that no shell stays between uWSGI and the app', () => {
    const table: Array<[string, string]> = [
      ['node server.js', 'exec node server.js'],
      ['  gunicorn app:app --workers $(nproc)  ', 'exec gunicorn app:app --workers $(nproc)'],
      ['python3 -m http.server $PORT 2>&1', 'exec python3 -m http.server $PORT 2>&1'],
      ['FOO=1 BAR="a b" node x.js', 'exec /usr/bin/env FOO=1 BAR="a b" node x.js'],
      ['echo "a;b" \'c|d\'', 'exec echo "a;b" \'c|d\''],
      ['npm run db:migrate && node server.js', 'npm run db:migrate && node server.js'],
      ['cd web; node x.js', 'cd web; node x.js'],
      ['cd web && exec node x.js', 'cd web && exec node x.js'],
      ['exec node x.js', 'exec node x.js'],
      ['node a.js | tee log', 'node a.js | tee log'],
      ['if true; then node x; fi', 'if true; then node x; fi'],
      ['(node x)', '(node x)'],
    ];
    for (const [command, text] of table) assert.equal(daemonShellText(command), text, command);
    assert.equal(isCompound('a \\; b'), false);
  });

  it('escapes commas and backslashes for the attach-daemon2 key-value list', () => {
    assert.equal(kvlistValue('a,b\\c'), 'a\\,b\\\\c');
    const text = renderVassal({ ...base, command: "node -e \"console.log('a,b\\\\c 100%')\"" }).text;
    const daemon = emulateIni(text, {}).find(([k]) => k === 'attach-daemon2')?.[1];
    assert.equal(daemon, "cmd=exec node -e \"console.log('a\\,b\\\\\\\\c 100%')\",stopsignal=15,reloadsignal=15,max_throttle=10");
  });

  it('refuses an empty command and one that spans lines', () => {
    assert.equal(code(() => renderVassal({ ...base, command: '  ' })), 'E_RUNTIME_UNREPRESENTABLE');
    assert.equal(code(() => renderVassal({ ...base, command: 'node a.js\nnode b.js' })), 'E_RUNTIME_UNREPRESENTABLE');
  });
});

describe('the uWSGI reference scanner port', () => {
  it('finds the keys uWSGI would look up, with nesting as uWSGI counts it', () => {
    assert.deepEqual(referencedKeys('%(a) %(b(c)d) %() %x %(e', '%'), ['a', 'b(c)d']);
    assert.deepEqual(referencedKeys('%(a%(b)c)', '%'), ['b']);
    assert.equal(iniValue('50%', 'v'), '50%%');
  });
});
