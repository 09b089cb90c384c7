/** Go: `go build` every main package into bin/, when a toolchain is installed. */
import { buildError } from './errors.ts';
import { runStep } from './step.ts';
import type { Builder } from './types.ts';

export function goBuildArgv(go: string): string[] {
  return [go, 'build', '-trimpath', '-o', 'bin/', './...'];
}

export const goBuilder: Builder = {
  toolchain: 'go',
  async build(ctx, deps) {
    const go = await deps.exec.which('go', ctx.env['PATH'] ?? '');
    if (go === null) {
      throw buildError('E_BUILD_TOOLCHAIN_MISSING', 'this is a Go app (go.mod) but the server has no Go toolchain (no "go" in PATH)');
    }
    await deps.fs.mkdir(`${ctx.releaseDir}/bin`);
    const step = await runStep('go-build', goBuildArgv(go), ctx, deps);
    return { artifacts: { bin: 'bin' }, steps: [step], cache: 'none' };
  },
};
