/**
 * Python: a virtualenv in .venv; pip only when there is something to install
 * (requirements.txt with requirements, or [build].pip-install), so a stdlib
 * app builds offline in a fraction of a second (venv --without-pip).
 */
import { join } from 'node:path';
import { buildError } from './errors.ts';
import { runStep } from './step.ts';
import type { Builder, StepTiming } from './types.ts';

export const VENV = '.venv';

/** True when a requirements file holds at least one requirement (not only comments / blank lines). */
export function hasRequirements(text: string): boolean {
  return text.split(/\r?\n/).some((l) => {
    const t = l.trim();
    return t !== '' && !t.startsWith('#');
  });
}

export function venvArgv(python: string, withPip: boolean): string[] {
  return [python, '-m', 'venv', ...(withPip ? [] : ['--without-pip']), VENV];
}

export function pipArgv(venvPython: string, args: readonly string[]): string[] {
  return [venvPython, '-m', 'pip', 'install', '--no-input', ...args];
}

export const pythonBuilder: Builder = {
  toolchain: 'python',
  async build(ctx, deps) {
    const python = await deps.exec.which('python3', ctx.env['PATH'] ?? '');
    if (python === null) throw buildError('E_BUILD_TOOLCHAIN_MISSING', 'this is a Python app but the server has no python3 in PATH');
    const reqPath = join(ctx.releaseDir, 'requirements.txt');
    const requirements = (await deps.fs.exists(reqPath)) && hasRequirements((await deps.fs.readFile(reqPath)).toString('utf8'));
    const extra = ctx.config.pipInstall;
    const steps: StepTiming[] = [];
    steps.push(await runStep('venv', venvArgv(python, requirements || extra.length > 0), ctx, deps));
    const venvPython = join(ctx.releaseDir, VENV, 'bin', 'python');
    if (requirements) steps.push(await runStep('pip-install', pipArgv(venvPython, ['-r', 'requirements.txt']), ctx, deps));
    if (extra.length > 0) steps.push(await runStep('pip-install-extra', pipArgv(venvPython, ['--', ...extra]), ctx, deps));
    if (!requirements) {
      for (const marker of ['pyproject.toml', 'setup.py', 'Pipfile']) {
        if (await deps.fs.exists(join(ctx.releaseDir, marker))) {
          deps.log({ step: 'venv', stream: 'hop3', text: `${marker} is not read: list dependencies in requirements.txt` });
        }
      }
    }
    return { artifacts: { venv: VENV, python: `${VENV}/bin/python` }, steps, cache: 'none' };
  },
};
