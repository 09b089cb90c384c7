/**
 * The explain view of an AppPlan: a pure function to plain data (used for
 * --json) and to text. Secret values are masked; generated secrets and
 * references are described, never resolved. Each env key also carries its
 * `origin`, the source a dry run of resolveEnv gives it (see explain-env.ts).
 */
import type { AppPlan, EnvValue } from '../../shared-protocol/config/index.ts';
import type { EnvSource } from '../../shared-protocol/config/resolve-env.ts';
import { dryResolveEnv } from './explain-env.ts';
import { formatSize } from '../../shared-protocol/config/validate/sizes.ts';
import { maskValue, table } from '../render.ts';

export interface EnvRow {
  readonly key: string;
  /** how the config declares the key ('default' for a key only the resolver adds, DEBUG) */
  readonly source: 'static' | 'generate' | 'ref' | 'external_ip' | 'computed' | 'default';
  /** where the resolver takes the value from at deploy: static, generated, ref:<addon>, app, external_ip, computed, default */
  readonly origin: EnvSource;
  /** a description or a masked value, never a secret */
  readonly value: string;
}

export interface Explained {
  readonly app: string | null;
  readonly builder: string;
  readonly processes: ReadonlyArray<{ name: string; command: string; source: string }>;
  readonly hooks: ReadonlyArray<{ name: string; command: string; source: string }>;
  readonly cron: ReadonlyArray<{ name: string; schedule: string; command: string }>;
  readonly addons: ReadonlyArray<{ type: string; name: string; extensions: readonly string[]; backup: string | null }>;
  readonly volumes: ReadonlyArray<{ name: string; target: string; type: string; detail: string }>;
  readonly limits: { memory: string | null; cpu: number | null; processes: number | null } | null;
  readonly ports: ReadonlyArray<{ number: number; protocol: string; name: string | null }>;
  readonly endpoints: ReadonlyArray<{ name: string; container: string; route: string }>;
  readonly domains: { list: readonly string[]; policy: string } | null;
  readonly env: {
    readonly policy: string;
    readonly vars: readonly EnvRow[];
    /** names [env.computed] uses that an attached addon or the app env must provide at deploy */
    readonly expects: readonly string[];
  };
}

type EnvDescription = Omit<EnvRow, 'origin'>;

function describeEnv(key: string, v: EnvValue): EnvDescription {
  switch (v.kind) {
    case 'static':
      return { key, source: 'static', value: maskValue(key, v.value) };
    case 'generate': {
      const parts = [v.generate, v.length === undefined ? '' : `length ${v.length}`, v.prefix === undefined ? '' : `prefix "${v.prefix}"`, v.display ? 'shown once' : ''];
      return { key, source: 'generate', value: `generated once: ${parts.filter((p) => p !== '').join(', ')}` };
    }
    case 'ref':
      return { key, source: 'ref', value: v.from === undefined ? `app fact "${v.key}"` : `addon ${v.from} → ${v.key}` };
    case 'external_ip':
      return { key, source: 'external_ip', value: `host public IP (${v.family})` };
  }
}

function explainEnv(c: AppPlan['config']): Explained['env'] {
  const dry = dryResolveEnv(c);
  const rows: EnvDescription[] = Object.entries(c.env.vars).map(([k, v]) => describeEnv(k, v));
  for (const [k, tpl] of Object.entries(c.env.computed)) rows.push({ key: k, source: 'computed', value: `computed: ${maskValue(k, tpl)}` });
  for (const [k, origin] of Object.entries(dry.sources)) {
    if (origin === 'default' && !rows.some((r) => r.key === k)) rows.push({ key: k, source: 'default', value: 'false (default)' });
  }
  return {
    policy: c.env.policy === 'keep' ? 'keep-existing' : 'override',
    // resolveEnv returns every declared key, so the fallback is never used.
    vars: rows.map((r) => ({ ...r, origin: dry.sources[r.key] ?? 'default' })),
    expects: dry.expects,
  };
}

export function explainPlan(plan: AppPlan): Explained {
  const c = plan.config;
  return {
    app: c.metadata.id,
    builder: c.build.builder,
    processes: Object.entries(plan.processes).map(([name, p]) => ({ name, command: p.command, source: p.source })),
    hooks: Object.entries(plan.hooks).map(([name, p]) => ({ name, command: p?.command ?? '', source: p?.source ?? '' })),
    cron: plan.cron.map((j) => ({ name: j.name, schedule: j.schedule, command: j.command })),
    addons: c.addons.map((a) => ({
      type: a.type,
      name: a.name ?? '(app name)',
      extensions: a.extensions,
      backup: a.backup === null ? null : `${a.backup.method ?? 'default method'}${a.backup.schedule === null ? '' : ` at "${a.backup.schedule}" UTC`}`,
    })),
    volumes: c.volumes.map((v) => ({
      name: v.name,
      target: v.target,
      type: v.type,
      detail: [v.sizeBytes === null ? '' : formatSize(v.sizeBytes), v.source === null ? '' : `from ${v.source}`, v.mode === null ? '' : `mode ${v.mode}`, v.backup ? 'backed up' : 'not backed up'].filter((x) => x !== '').join(', '),
    })),
    limits: c.limits === null ? null : { memory: c.limits.memoryBytes === null ? null : formatSize(c.limits.memoryBytes), cpu: c.limits.cpu, processes: c.limits.processes },
    ports: c.ports.map((p) => ({ number: p.number, protocol: p.protocol, name: p.name })),
    endpoints: c.endpoints.map((e) => ({
      name: e.name,
      container: String(e.container),
      route: !e.proxy ? 'not proxied' : e.subdomain !== null ? `proxied at ${e.subdomain}.<host>` : `proxied at <host>${e.path ?? ''}`,
    })),
    domains: c.domains === null ? null : { list: c.domains.list, policy: c.domains.policy },
    env: explainEnv(c),
  };
}

function section(title: string, rows: readonly (readonly string[])[], empty = '(none)'): string {
  return `${title}:\n${rows.length === 0 ? `  ${empty}` : table(rows)}\n`;
}

export function renderExplained(e: Explained, files: string): string {
  let out = `App: ${e.app ?? '(named at deploy)'}  [${files}]\nBuilder: ${e.builder}\n`;
  out += section('Processes', e.processes.map((p) => [p.name, p.command, `(${p.source})`]));
  if (e.hooks.length > 0) out += section('Hooks', e.hooks.map((p) => [p.name, p.command, `(${p.source})`]));
  if (e.cron.length > 0) out += section('Cron (UTC)', e.cron.map((j) => [j.name, j.schedule, j.command]));
  out += section('Addons', e.addons.map((a) => [a.type, a.name, a.extensions.length === 0 ? '' : `extensions: ${a.extensions.join(', ')}`, a.backup === null ? '' : `backup: ${a.backup}`]));
  out += section('Volumes', e.volumes.map((v) => [v.name, `→ ${v.target}`, v.type, v.detail]));
  const l = e.limits;
  out += `Limits: ${l === null ? '(none)' : [l.memory === null ? '' : `memory ${l.memory}`, l.cpu === null ? '' : `cpu ${l.cpu}`, l.processes === null ? '' : `processes ${l.processes}`].filter((x) => x !== '').join(', ')}\n`;
  out += section('Ports (fixed, host)', e.ports.map((p) => [`${p.number}/${p.protocol}`, p.name ?? '']));
  if (e.endpoints.length > 0) out += section('Endpoints', e.endpoints.map((p) => [p.name, `container ${p.container}`, p.route]));
  out += `Domains: ${e.domains === null ? '(none)' : `${e.domains.list.join(', ') || '(empty list: no change)'} (policy ${e.domains.policy})`}\n`;
  out += section(`Env (policy ${e.env.policy})`, e.env.vars.map((v) => [v.key, v.origin, v.value]));
  if (e.env.expects.length > 0) out += `Env expected at deploy (from an attached addon or the app env): ${e.env.expects.join(', ')}\n`;
  return out;
}
