/**
 * Nix string escaping, checked against the real Nix evaluator when
 * nix-instantiate is installed: every escaped string must evaluate to itself,
 * and the goldens must carry tricky values through unchanged.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { escapeNixString, generateNix, nixStr } from '../../shared-protocol/config/nix/index.ts';
import { shDoubleExpanding } from '../../shared-protocol/config/nix/escape.ts';
import { NIX_INPUTS, TRICKY } from './nix-inputs.ts';

const NIX = ['/usr/bin/nix-instantiate'].find((b) => {
  try { execFileSync(b, ['--version'], { stdio: 'ignore' }); return true; } catch { return false; }
});
const skip = NIX === undefined ? 'nix-instantiate not installed' : false;

function nixEval(expr: string): unknown {
  const out = execFileSync(NIX ?? 'false', ['--eval', '--strict', '--json', '-E', expr], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out);
}

/** Stub nixpkgs: enough for every template to evaluate without a nixpkgs checkout. */
const STUB = `let
  pkg = n: { outPath = "/nix/store/" + n; };
  stub = {
    fetchurl = a: pkg "fetched";
    stdenv = { mkDerivation = a: pkg "app"; cc = { cc = { lib = pkg "cclib"; }; }; };
    autoPatchelfHook = pkg "patchelf"; unzip = pkg "unzip";
    writeShellScript = name: text: "<SCRIPT>" + text + "</SCRIPT>";
    writeText = name: text: "<JSON>" + text + "</JSON>";
    runCommand = name: attrs: cmd: { inherit name attrs cmd; };
    bundlerEnv = a: pkg "gems";
    gitea = pkg "gitea"; python312 = pkg "python"; jdk21 = pkg "jdk"; ruby_3_3 = pkg "ruby"; nodejs_22 = pkg "nodejs";
    php82 = { withExtensions = f: (pkg "php") // { packages = { composer = pkg "composer"; }; }; };
  };
in stub`;

function evalTemplate(file: string): { name: string; attrs: { meta: { description?: string } }; script: string; json: { paths: string[]; env: Record<string, string> } } {
  const r = nixEval(`import ${file} { pkgs = (${STUB}); }`) as { name: string; attrs: { meta: { description?: string } }; cmd: string };
  const script = /<SCRIPT>([\s\S]*)<\/SCRIPT>/.exec(r.cmd)?.[1] ?? '';
  const json = JSON.parse(/<JSON>([\s\S]*)<\/JSON>/.exec(r.cmd)?.[1] ?? 'null') as { paths: string[]; env: Record<string, string> };
  return { name: r.name, attrs: r.attrs, script, json };
}

const fixture = (t: string): string => new URL(`../fixtures/nix/${t}.nix`, import.meta.url).pathname;

describe('Nix string escaping', () => {
  it('escapes backslash, double quote, "${" and carriage return, and nothing else', () => {
    assert.equal(escapeNixString('a"b\\c${d}$e $${f}\r\n\''), 'a\\"b\\\\c\\${d}$e $\\${f}\\r\n\'');
  });

  it('round-trips arbitrary strings through the Nix evaluator', { skip }, () => {
    const alphabet = fc.constantFrom('$', '{', '}', '\\', '"', "'", 'a', 'Z', '\n', '\r', '\t', ' ', 'é', '€');
    const samples = fc.sample(fc.string({ unit: alphabet, maxLength: 24 }), { numRuns: 400, seed: 46 });
    samples.push(TRICKY, '', '$', '${', '$${', "''", "'''${x}", '\\', 'end$');
    assert.deepEqual(nixEval(`[ ${samples.map(nixStr).join(' ')} ]`), samples);
  });

  it('carries a value with quotes, backslashes and ${ unchanged into runtime.json', { skip }, () => {
    const r = evalTemplate(fixture('php-app'));
    assert.equal(r.json.env['TRICKY'], TRICKY);
    assert.deepEqual(r.json.paths, ['/nix/store/php/bin', '/nix/store/composer/bin']);
  });

  it('carries a tricky description unchanged into meta.description', { skip }, () => {
    assert.equal(evalTemplate(fixture('node-prebuilt')).attrs.meta.description, TRICKY);
  });

  it('puts a tricky local variable in the script as one double-quoted shell word', { skip }, () => {
    const r = evalTemplate(fixture('ruby-bundler'));
    assert.ok(r.script.includes(`\nTRICKY=${shDoubleExpanding(TRICKY)}\n`), r.script);
    const out = execFileSync('/bin/bash', ['-c', `PGUSER=u; TRICKY=${shDoubleExpanding(TRICKY)}; printf %s "$TRICKY"`], { encoding: 'utf8' });
    // Shell semantics: ${NOT_NIX} expands (to nothing) and $$ to the shell pid; quotes and backslashes stay literal.
    assert.match(out, /^say "hi" \\ back\\slash  \d+\{x\} '' end\$$/);
  });

  it('evaluates every template with store paths interpolated into the wrapper', { skip }, () => {
    for (const t of Object.keys(NIX_INPUTS)) {
      const r = evalTemplate(fixture(t));
      assert.match(r.script, /^# hop3-start for [a-z-]+: generated from \[nix\] template /, t);
      assert.match(r.script, /\nexec .+\n$/, t);
      assert.ok(!r.script.includes('${gitea}') && !r.script.includes('${app}'), `${t}: no uninterpolated store reference`);
    }
    assert.match(evalTemplate(fixture('nixpkgs-wrapper')).script, /export PATH="\/nix\/store\/gitea\/bin:\$PATH"/);
    assert.match(evalTemplate(fixture('java-war')).script, /exec java \$\{JAVA_OPTS:-\} -jar "\/nix\/store\/fetched" "--httpPort=\$PORT"/);
    assert.match(evalTemplate(fixture('prebuilt-archive')).script, /exec "\/nix\/store\/app\/share\/app\/bin\/app-server" "--port" "\$PORT"/);
  });

  it('interpolates ${version} into the download URL and nothing else', () => {
    const text = generateNix(NIX_INPUTS['java-war']);
    assert.ok(text.includes('url = "https://get.jenkins.io/war-stable/${version}/jenkins.war";'));
  });
});
