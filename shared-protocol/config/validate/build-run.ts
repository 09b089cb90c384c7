/** [metadata], [build] and [run] into their normalized form. */
import type { Reporter } from '../diagnostics.ts';
import type { BuildConfig, MetadataConfig, RunConfig } from '../model.ts';
import type { BuildRaw, MetadataRaw, RunRaw } from '../schema/sections.ts';
import { joinCommand } from './commands.ts';

export const HOOK_NAMES: ReadonlySet<string> = new Set(['prebuild', 'prerun', 'release']);
const WORKER_RE = /^[A-Za-z0-9_-]+$/;

export function isCronName(name: string): boolean {
  return /^cron([_-].*|\d*)$/.test(name);
}

export function normalizeMetadata(raw: MetadataRaw | undefined): MetadataConfig {
  const { id, version, title, description, ...extra } = raw ?? {};
  return { id: id ?? null, version: version ?? null, title: title ?? null, description: description ?? null, extra };
}

export function normalizeBuild(raw: BuildRaw | undefined, rep: Reporter): BuildConfig {
  const b = raw ?? {};
  const ignore = b.ignore ?? [];
  ignore.forEach((p, i) => {
    if (p.trim() === '') rep.error('E_CONFIG_FORMAT', ['build', 'ignore', i], 'an ignore pattern must not be empty');
  });
  return {
    builder: b.builder ?? 'auto',
    toolchain: b.toolchain ?? null,
    build: joinCommand(b.build, ['build', 'build'], rep),
    beforeBuild: joinCommand(b['before-build'], ['build', 'before-build'], rep),
    test: joinCommand(b.test, ['build', 'test'], rep),
    packages: b.packages ?? [],
    pipInstall: b['pip-install'] ?? [],
    ignore,
  };
}

export function normalizeRun(raw: RunRaw | undefined, rep: Reporter): RunConfig {
  const r = raw ?? {};
  const workers: Record<string, string> = {};
  for (const [name, cmd] of Object.entries(r.workers ?? {})) {
    const p = ['run', 'workers', name];
    if (!WORKER_RE.test(name) || name === 'web' || HOOK_NAMES.has(name) || isCronName(name)) {
      rep.error('E_CONFIG_WORKER_NAME', p, `"${name}" cannot name a worker (web is [run].start; prebuild/prerun/release and cron* are hooks)`);
      continue;
    }
    const joined = joinCommand(cmd, p, rep);
    if (joined !== null) workers[name] = joined;
  }
  return {
    start: joinCommand(r.start, ['run', 'start'], rep),
    beforeRun: joinCommand(r['before-run'], ['run', 'before-run'], rep),
    packages: r.packages ?? [],
    startTimeout: r['start-timeout'] ?? null,
    workers,
  };
}
