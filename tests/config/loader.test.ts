import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DEFAULT_IGNORE, loadApp, uploadFilter } from '../../shared-protocol/config/index.ts';
import { appDir } from './tmpdir.ts';

describe('loading an app directory', () => {
  it('finds the config in src/hop3/, src/ or the root', () => {
    for (const rel of ['src/hop3/hop3.toml', 'src/hop3.toml', 'hop3.toml', 'src/hop3.yaml', 'hop3.json']) {
      const text = rel.endsWith('.json') ? '{"run": {"start": "x"}}' : rel.endsWith('.yaml') ? 'run:\n  start: x\n' : '[run]\nstart = "x"\n';
      const r = loadApp(appDir({ [rel]: text }));
      assert.equal(r.files.config, rel);
      assert.equal(r.plan?.processes['web']?.command, 'x');
    }
  });

  it('refuses two config files for one app', () => {
    const r = loadApp(appDir({ 'hop3.toml': '', 'src/hop3.yaml': 'run: {}\n' }));
    assert.equal(r.plan, null);
    assert.equal(r.diagnostics[0]?.code, 'E_CONFIG_MULTIPLE_FILES');
    assert.match(r.diagnostics[0]?.message ?? '', /src\/hop3\.yaml, hop3\.toml/);
  });

  it('reports a directory with neither config nor Procfile', () => {
    assert.equal(loadApp(appDir({ 'README.md': 'x' })).diagnostics[0]?.code, 'E_CONFIG_NO_FILE');
  });

  it('reads a leftover .hop3ignore with a deprecation warning and adds its patterns', () => {
    const r = loadApp(appDir({ 'hop3.toml': '[build]\nignore = ["*.log"]\n', '.hop3ignore': '# old\nsecrets/\n\n*.bak\n' }));
    assert.deepEqual(r.diagnostics.map((d) => d.code), ['W_CONFIG_HOP3IGNORE_DEPRECATED']);
    assert.deepEqual(r.plan?.ignore.patterns, ['*.log', 'secrets/', '*.bak']);
    assert.deepEqual(r.plan?.ignore.defaults, DEFAULT_IGNORE);
  });

  it('builds an upload filter from the built-in defaults plus [build].ignore', () => {
    const ignores = uploadFilter(['*.log', '!keep.log']);
    assert.equal(ignores('node_modules/x/index.js'), true);
    assert.equal(ignores('app/__pycache__/m.pyc'), true);
    assert.equal(ignores('debug.log'), true);
    assert.equal(ignores('keep.log'), false);
    assert.equal(ignores('src/app.py'), false);
  });
});
