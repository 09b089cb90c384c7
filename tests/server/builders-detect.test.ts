import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BuildConfig } from '../../shared-protocol/config/index.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { detectToolchain } from '../../server/builders/detect.ts';

type B = Pick<BuildConfig, 'builder' | 'toolchain' | 'build'>;
const auto: B = { builder: 'auto', toolchain: null, build: null };
const names = (...n: string[]): Set<string> => new Set(n);

const detected: Array<[string, B, Set<string>, string]> = [
  ['go.mod', auto, names('go.mod', 'main.go'), 'go'],
  ['package.json', auto, names('package.json', 'server.js'), 'node'],
  ['package.json next to requirements.txt (node wins)', auto, names('package.json', 'requirements.txt'), 'node'],
  ['go.mod next to package.json (go wins)', auto, names('go.mod', 'package.json'), 'go'],
  ['requirements.txt', auto, names('requirements.txt', 'app.py'), 'python'],
  ['pyproject.toml', auto, names('pyproject.toml'), 'python'],
  ['setup.py', auto, names('setup.py'), 'python'],
  ['Pipfile', auto, names('Pipfile'), 'python'],
  ['a lone app.py (a stdlib app)', auto, names('app.py', 'hop3.toml'), 'python'],
  ['index.html at the root', auto, names('index.html', 'style.css'), 'static'],
  ['a build command and no marker', { ...auto, build: 'make' }, names('Makefile'), 'generic'],
  ['nothing at all', auto, names('hop3.toml', 'Procfile'), 'generic'],
  ['toolchain = "static" over package.json', { ...auto, toolchain: 'static' }, names('package.json', 'public'), 'static'],
  ['toolchain = "python" over package.json', { ...auto, toolchain: 'python' }, names('package.json'), 'python'],
  ['toolchain = "nodejs" (alias)', { ...auto, toolchain: 'nodejs' }, names(), 'node'],
  ['toolchain = "Golang" (alias, any case)', { ...auto, toolchain: 'Golang' }, names(), 'go'],
  ['toolchain = "generic" over go.mod', { ...auto, toolchain: 'generic' }, names('go.mod'), 'generic'],
  ['builder = "local" (native toolchains)', { ...auto, builder: 'local' }, names('package.json'), 'node'],
];
for (const [what, build, files, toolchain] of detected) {
  test(`an app with ${what} is built with the ${toolchain} toolchain`, () => {
    const d = detectToolchain(build, files);
    assert.equal(d.toolchain, toolchain);
    assert.ok(d.reason.length > 0);
  });
}

const refused: Array<[string, B, string]> = [
  ['builder = "docker"', { ...auto, builder: 'docker' }, 'E_BUILD_BUILDER_UNSUPPORTED'],
  ['builder = "nix"', { ...auto, builder: 'nix' }, 'E_BUILD_BUILDER_UNSUPPORTED'],
  ['toolchain = "ruby"', { ...auto, toolchain: 'ruby' }, 'E_BUILD_UNKNOWN_TOOLCHAIN'],
  ['toolchain = "node-16" (versions are not selectable)', { ...auto, toolchain: 'node-16' }, 'E_BUILD_UNKNOWN_TOOLCHAIN'],
];
for (const [what, build, code] of refused) {
  test(`an app with ${what} is refused with ${code} before anything runs`, () => {
    assert.throws(
      () => detectToolchain(build, names('package.json')),
      (e: unknown) => isHop3Error(e) && e.code === code && (e.hint ?? '') !== '',
    );
  });
}
