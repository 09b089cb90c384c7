/**
 * validateConfigValue: a parsed hop3.toml/yaml/json value → the normalized
 * AppConfig, or null when any error was reported. All diagnostics go to the
 * Reporter (which knows the file and key positions). Pure: no I/O.
 */
import type { TSchema } from '@sinclair/typebox';
import type { Reporter } from '../diagnostics.ts';
import type { AppConfig } from '../model.ts';
import type { NixRaw } from '../schema/nix.ts';
import { RootSchema } from '../schema/root.ts';
import type {
  AddonRaw, BackupRaw, BuildRaw, DomainsRaw, FixedPortRaw, HealthcheckRaw, LimitsRaw, MetadataRaw, PortRaw, RunRaw, TestRaw, VolumeRaw,
} from '../schema/sections.ts';
import { normalizeBuild, normalizeMetadata, normalizeRun } from './build-run.ts';
import type { ValidateOptions } from './context.ts';
import { validateEnv } from './env.ts';
import { validateDomains, validateEndpoints, validateFixedPorts } from './network.ts';
import { validateNix } from './nix.ts';
import { checkTmpfsAgainstMemory, validateLimits, validateVolumes } from './resources.ts';
import { checkAddonNames, validateAddons, validateBackup } from './services.ts';
import { checkTable, typeName } from './structural.ts';

/** The structurally valid sections, typed by their schemas. */
interface Sections {
  metadata?: MetadataRaw;
  build?: BuildRaw;
  run?: RunRaw;
  env?: Record<string, unknown>;
  domains?: DomainsRaw;
  port?: PortRaw;
  ports?: FixedPortRaw[];
  volumes?: VolumeRaw[];
  limits?: LimitsRaw;
  healthcheck?: HealthcheckRaw;
  backup?: BackupRaw;
  addons?: AddonRaw[];
  provider?: AddonRaw[];
  test?: TestRaw;
  nix?: NixRaw;
}

export function validateConfigValue(value: unknown, rep: Reporter, options: ValidateOptions = {}): AppConfig | null {
  if (typeName(value) !== 'table') {
    rep.at('E_CONFIG_TYPE', 1, 1, `the document must be a table of sections, got ${typeName(value)}`);
    return null;
  }
  const { out } = checkTable(RootSchema as TSchema, value as Record<string, unknown>, [], rep);
  const s = out as Sections;

  if (s.env !== undefined && typeName(s.env) !== 'table') {
    rep.error('E_CONFIG_TYPE', ['env'], `[env] must be a table, got ${typeName(s.env)}`);
    delete s.env;
  }
  const metadata = normalizeMetadata(s.metadata);
  const build = normalizeBuild(s.build, rep);
  const run = normalizeRun(s.run, rep);
  const env = validateEnv(s.env, rep);
  const domains = s.domains === undefined ? null : validateDomains(s.domains, rep);
  if (s.domains !== undefined && (Object.hasOwn(env.vars, 'HOST_NAME') || Object.hasOwn(env.computed, 'HOST_NAME'))) {
    rep.error('E_CONFIG_DOMAINS_HOST_NAME', ['env', 'HOST_NAME'], 'HOST_NAME is set in [env] while [domains].list is declared');
  }
  const endpoints = s.port === undefined ? [] : validateEndpoints(s.port, rep);
  const ports = validateFixedPorts(s.ports ?? [], rep);
  const volumes = validateVolumes(s.volumes ?? [], rep);
  const limits = s.limits === undefined ? null : validateLimits(s.limits, rep);
  checkTmpfsAgainstMemory(volumes, limits, rep);
  const backup = s.backup === undefined ? null : validateBackup(s.backup, rep);

  const extraPg = options.extraPgExtensions ?? [];
  if (s.provider !== undefined) {
    rep.warn('W_CONFIG_PROVIDER_DEPRECATED', ['provider'], '[[provider]] is deprecated; it is read as [[addons]]');
  }
  const addons = [
    ...validateAddons(s.addons ?? [], 'addons', extraPg, rep),
    ...validateAddons(s.provider ?? [], 'provider', extraPg, rep),
  ];
  checkAddonNames(addons, rep);

  const nix = s.nix === undefined ? null : validateNix(s.nix, build.builder, metadata, rep);
  const h = s.healthcheck;
  const config: AppConfig = {
    metadata,
    build,
    run,
    env,
    domains,
    endpoints,
    ports,
    volumes,
    limits,
    healthcheck: h === undefined ? null : { path: h.path ?? null, timeout: h.timeout ?? null, interval: h.interval ?? null },
    backup,
    addons,
    test: s.test ?? null,
    nix,
  };
  return rep.errorCount === 0 ? config : null;
}
