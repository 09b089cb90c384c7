/**
 * Per-template parts of hop3.nix: let-bindings (Nix source built only from
 * validated tokens and escaped strings), the names `extra-paths` may
 * interpolate, the PATH of the wrapper, preparation lines and the exec line.
 */
import { type Seg, nixStr, nixStrSegs, shDoubleLiteral, shSingle } from './escape.ts';
import { type Line, type ScriptPlan, execArgs, shWordSegs } from './script.ts';
import type { NixTemplate } from './types.ts';
import { type ValidNixInput, nixError } from './validate.ts';

export interface TemplatePlan extends ScriptPlan {
  /** [name, Nix expression] pairs, in order. */
  readonly bindings: readonly (readonly [string, string])[];
  /** Names "${name}" may use in extra-paths. */
  readonly refs: readonly string[];
  /** meta.platforms, for tier 3 (pre-built x86_64 binaries). */
  readonly platforms?: readonly string[];
}

const RESERVED = new Set([
  'pkgs', 'pname', 'version', 'startScript', 'runtimeEnv', 'runtimeJson', 'app',
  'let', 'in', 'rec', 'with', 'inherit', 'if', 'then', 'else', 'assert', 'or', 'true', 'false', 'null', 'builtins', 'import',
]);

const store = (name: string, suffix = ''): Seg[] => [{ nix: name }, ...(suffix ? [suffix] : [])];

function urlExpr(url: string): string {
  const segs: Seg[] = [];
  url.split('${version}').forEach((part, i) => {
    if (i > 0) segs.push({ nix: 'version' });
    if (part) segs.push(part);
  });
  return nixStrSegs(segs);
}

export function fetchExpr(input: ValidNixInput, indent: string): string {
  const sha = input.sha256 ?? '';
  const hashAttr = sha.startsWith('sha256-') ? 'hash' : 'sha256';
  return `pkgs.fetchurl {\n${indent}  url = ${urlExpr(input.url ?? '')};\n${indent}  ${hashAttr} = ${nixStr(sha)};\n${indent}}`;
}

function unpackedApp(input: ValidNixInput, installLines: readonly string[], opts: { patchelf: boolean; keepRoot: boolean }): string {
  const archive = input.archive;
  const native = [...(opts.patchelf ? ['pkgs.autoPatchelfHook'] : []), ...(archive === 'zip' ? ['pkgs.unzip'] : [])];
  const lines = [
    'pkgs.stdenv.mkDerivation {',
    '    pname = "${pname}-upstream";',
    '    inherit version;',
    `    src = ${fetchExpr(input, '    ')};`,
    ...(archive === undefined ? ['    dontUnpack = true;'] : opts.keepRoot ? ['    sourceRoot = ".";'] : []),
    ...(native.length ? [`    nativeBuildInputs = [ ${native.join(' ')} ];`] : []),
    ...(opts.patchelf ? ['    buildInputs = [ pkgs.stdenv.cc.cc.lib ];'] : []),
    '    dontConfigure = true;',
    '    dontBuild = true;',
    "    installPhase = ''",
    '      runHook preInstall',
    ...installLines.map((l) => `      ${l}`),
    '      runHook postInstall',
    "    '';",
    '    meta.platforms = [ "x86_64-linux" ];',
    '  }',
  ];
  return lines.join('\n');
}

const execWord = (target: string): string => shDoubleLiteral(target);

function plan(input: ValidNixInput): TemplatePlan {
  const args = execArgs(input);
  const target = input['exec-target'] ?? '';
  const runtime = (fallback: string): string => `pkgs.${input['runtime-package'] ?? fallback}`;
  switch (input.template) {
    case 'nixpkgs-wrapper': {
      const attr = input['nixpkgs-package'] ?? '';
      const ident = attr.split('.').pop() ?? attr;
      if (RESERVED.has(ident)) {
        throw nixError('E_NIX_BAD_FIELD', `[nix].nixpkgs-package "${attr}" ends in "${ident}", a name hop3.nix reserves.`, { field: 'nixpkgs-package' });
      }
      return {
        bindings: [[ident, `pkgs.${attr}`]], refs: [ident],
        path: [store(ident, '/bin')], prepare: [], exec: [`exec ${execWord(target)}${args}`],
      };
    }
    case 'python-venv': {
      const pkgsList = (input['pip-packages'] ?? []).map(shSingle).join(' ');
      const want = (input['pip-packages'] ?? []).join(' ');
      const prepare: Line[] = [
        ['hop3_want="$(cat requirements.txt 2>/dev/null || true)"'],
        ...(want ? [[`hop3_want="$hop3_want"${shDoubleLiteral(`|${want}`)}`]] : []),
        ['if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.hop3-stamp 2>/dev/null || true)" != "$hop3_want" ]; then'],
        ['  ', ...shWordSegs(store('python', '/bin/python')), ' -m venv .venv'],
        ['  if [ -f requirements.txt ]; then .venv/bin/pip install --disable-pip-version-check -r requirements.txt; fi'],
        ...(pkgsList ? [[`  .venv/bin/pip install --disable-pip-version-check ${pkgsList}`]] : []),
        ['  printf \'%s\' "$hop3_want" > .venv/.hop3-stamp'],
        ['fi'],
        ['export VIRTUAL_ENV="$PWD/.venv"'],
        ['export PATH="$PWD/.venv/bin:$PATH"'],
      ];
      return {
        bindings: [['python', runtime('python3')]], refs: ['python'],
        path: [store('python', '/bin')], prepare, exec: [`exec ${execWord(target)}${args}`],
      };
    }
    case 'php-app': {
      const exts = input['php-extensions'] ?? [];
      const php = `pkgs.${input['php-version'] ?? 'php82'}`;
      const phpExpr = exts.length ? `${php}.withExtensions ({ enabled, all }: enabled ++ [ ${exts.map((e) => `all.${e}`).join(' ')} ])` : php;
      const composer = input['needs-composer'] === true;
      const flags = (input['composer-extra-flags'] ?? []).map((f) => ` ${shSingle(f)}`).join('');
      const dirs = input['post-install-dirs'] ?? [];
      const prepare: Line[] = [
        ...(dirs.length ? [[`mkdir -p ${dirs.map(shSingle).join(' ')}`]] : []),
        ...(composer ? [[`if [ -f composer.json ] && [ ! -d vendor ]; then composer install --no-dev --no-interaction --prefer-dist${flags}; fi`]] : []),
      ];
      const exec = input['serve-mode'] === 'artisan'
        ? `exec php artisan serve --host=127.0.0.1 --port="$PORT"${args}`
        : `exec php -S "127.0.0.1:$PORT" -t ${shSingle(input['web-root'] ?? '.')}${args}`;
      return {
        bindings: [['php', phpExpr]], refs: ['php'],
        path: [store('php', '/bin'), ...(composer ? [store('php.packages.composer', '/bin')] : [])], prepare, exec: [exec],
      };
    }
    case 'java-war': {
      const opts = (input['jvm-opts'] ?? []).join(' ');
      return {
        bindings: [['jdk', runtime('jdk17')], ['war', fetchExpr(input, '  ')]], refs: ['jdk', 'war'],
        path: [store('jdk', '/bin')],
        prepare: opts ? [[`if [ -z "\${JAVA_OPTS:-}" ]; then JAVA_OPTS=${shSingle(opts)}; fi`]] : [],
        exec: ['exec java ${JAVA_OPTS:-} -jar ', ...shWordSegs(store('war')), args],
      };
    }
    case 'ruby-bundler':
      return {
        bindings: [['ruby', runtime('ruby')], ['gems', 'pkgs.bundlerEnv {\n    name = "${pname}-gems";\n    inherit ruby;\n    gemdir = ./.;\n  }']],
        refs: ['ruby', 'gems'],
        path: [store('gems', '/bin'), store('ruby', '/bin')], prepare: [], exec: [`exec ${execWord(target)}${args}`],
      };
    case 'prebuilt-binary': {
      const bin = input['binary-name'] ?? '';
      const install = input.archive === undefined
        ? [`install -Dm755 "$src" "$out/bin/${bin}"`]
        : [`found="$(find . -type f -name '${bin}' | head -n 1)"`, `[ -n "$found" ] || { echo "binary ${bin} not found in the archive" >&2; exit 1; }`, `install -Dm755 "$found" "$out/bin/${bin}"`];
      return {
        bindings: [['app', unpackedApp(input, install, { patchelf: true, keepRoot: true })]], refs: ['app'],
        path: [store('app', '/bin')], prepare: [], exec: [`exec ${execWord(input['exec-target'] ?? bin)}${args}`],
        platforms: ['x86_64-linux'],
      };
    }
    case 'prebuilt-archive':
      return {
        bindings: [['app', unpackedApp(input, ['mkdir -p "$out/share"', 'cp -r . "$out/share/app"'], { patchelf: true, keepRoot: false })]],
        refs: ['app'], path: [], prepare: [],
        exec: ['exec ', ...shWordSegs(store('app', `/share/app/${target}`)), args],
        platforms: ['x86_64-linux'],
      };
    case 'node-prebuilt':
      return {
        bindings: [
          ['nodejs', runtime('nodejs_20')],
          ['app', unpackedApp(input, ['mkdir -p "$out/share"', 'cp -r . "$out/share/app"'], { patchelf: false, keepRoot: false })],
        ],
        refs: ['nodejs', 'app'], path: [store('nodejs', '/bin')], prepare: [],
        exec: ['exec node ', ...shWordSegs(store('app', `/share/app/${target}`)), args],
        platforms: ['x86_64-linux'],
      };
  }
}

export function templatePlan(input: ValidNixInput): TemplatePlan {
  return plan(input);
}

export type { NixTemplate };
