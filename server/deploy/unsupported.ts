/**
 * Fail loud, never drop (DESIGN §5.8): config this server cannot realize yet
 * stops the deploy with E_CONFIG_UNSUPPORTED naming the section, before
 * anything changes. [limits] is realized (rootd cgroup ops) and fails on its
 * own when the host cannot enforce it.
 */
import type { AppPlan } from '../../shared-protocol/config/index.ts';
import { Hop3Error } from '../../shared-protocol/errors.ts';

/** Every unrealizable thing the plan asks for, as "section: why" lines. */
export function unsupportedSections(plan: AppPlan): string[] {
  const c = plan.config;
  const out: string[] = [];
  if (c.endpoints.length > 0) out.push(`[port] (${c.endpoints.map((e) => e.name).join(', ')}): named endpoints are not routed by this server yet`);
  if (c.ports.length > 0) out.push('[[ports]]: fixed public ports are not opened by this server yet');
  if (c.volumes.length > 0) out.push(`[[volumes]] (${c.volumes.map((v) => v.name).join(', ')}): volumes are not mounted by this server yet`);
  const backedUp = c.addons.filter((a) => a.backup !== null);
  if (backedUp.length > 0) out.push(`[addons.backup] (${backedUp.map((a) => a.name ?? a.type).join(', ')}): addon backups are not run by this server yet`);
  if (c.backup !== null && c.backup.enabled) out.push('[backup]: app backups are not scheduled by this server yet (set enabled = false to deploy without them)');
  if (c.build.builder === 'docker' || c.build.builder === 'nix') out.push(`[build].builder = "${c.build.builder}": only the local builders run here`);
  if (c.nix !== null) out.push('[nix]: Nix environments are not built by this server yet');
  if (c.build.packages.length > 0) out.push('[build].packages: system packages are not installed by this server');
  if (c.run.packages.length > 0) out.push('[run].packages: system packages are not installed by this server');
  if (c.healthcheck?.interval != null) out.push('[healthcheck].interval: periodic health checks after the deploy are not run by this server yet (the deploy-time check uses path and timeout)');
  if (plan.cron.length > 0) out.push('Procfile cron entries: scheduled jobs are not run by this server yet');
  return out;
}

export function assertSupported(plan: AppPlan): void {
  const problems = unsupportedSections(plan);
  if (problems.length === 0) return;
  const first = problems[0]?.split(':')[0] ?? 'a section';
  throw new Hop3Error('E_CONFIG_UNSUPPORTED', `the app config asks for what this server cannot honour: ${problems.join('; ')}`, {
    hint: `Remove ${first} from the config (or deploy to a server that supports it); nothing was changed.`,
    details: { sections: problems },
  });
}
