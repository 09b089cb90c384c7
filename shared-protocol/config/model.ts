/**
 * The normalized app configuration: what hop3.toml, hop3.yaml or hop3.json
 * mean once validated, whatever the syntax. Absent sections are null, never
 * undefined; commands are single strings (arrays joined with " && ").
 */
import type { EnvConfig } from './env-model.ts';
import type { NixRaw } from './schema/nix.ts';
import type { TestRaw } from './schema/sections.ts';

export type Builder = 'auto' | 'local' | 'docker' | 'nix';
export type AddonType = 'postgres' | 'mysql' | 'redis' | 's3';

export interface MetadataConfig {
  readonly id: string | null;
  readonly version: string | null;
  readonly title: string | null;
  readonly description: string | null;
  /** informational fields (homepage, website, license, categories) and reserved ones, as written */
  readonly extra: Readonly<Record<string, unknown>>;
}

export interface BuildConfig {
  readonly builder: Builder;
  readonly toolchain: string | null;
  readonly build: string | null;
  readonly beforeBuild: string | null;
  readonly test: string | null;
  readonly packages: readonly string[];
  readonly pipInstall: readonly string[];
  /** user patterns from [build].ignore, on top of DEFAULT_IGNORE */
  readonly ignore: readonly string[];
}

export interface RunConfig {
  readonly start: string | null;
  readonly beforeRun: string | null;
  readonly packages: readonly string[];
  /** seconds; null = the server default (APP_START_TIMEOUT, 60) */
  readonly startTimeout: number | null;
  readonly workers: Readonly<Record<string, string>>;
}

export interface DomainsConfig {
  readonly list: readonly string[];
  readonly policy: 'keep-existing' | 'override';
}

/** A named [port] endpoint. container is a port number or "$PORT" (the dynamic port). */
export interface Endpoint {
  readonly name: string;
  readonly container: number | '$PORT';
  readonly public: number | null;
  readonly https: boolean | null;
  readonly proxy: boolean;
  /** exactly one of subdomain / path when proxy is true */
  readonly subdomain: string | null;
  readonly path: string | null;
}

export interface FixedPort {
  readonly number: number;
  readonly protocol: 'tcp' | 'udp';
  readonly name: string | null;
}

export interface Volume {
  readonly name: string;
  readonly target: string;
  readonly type: 'persist' | 'tmpfs' | 'bind';
  /** bytes; tmpfs only */
  readonly sizeBytes: number | null;
  readonly mode: string | null;
  /** absolute host path; bind only */
  readonly source: string | null;
  /** persist: true unless opted out; bind: false unless opted in; tmpfs: always false */
  readonly backup: boolean;
}

export interface LimitsConfig {
  readonly memoryBytes: number | null;
  readonly cpu: number | null;
  readonly processes: number | null;
}

export interface HealthcheckConfig {
  readonly path: string | null;
  readonly timeout: number | null;
  readonly interval: number | null;
}

export interface Retention {
  readonly days: number | null;
  readonly keepLast: number | null;
}

export interface BackupPolicy {
  readonly enabled: boolean;
  /** 5-field cron, UTC */
  readonly schedule: string | null;
  readonly retention: Retention | null;
  readonly paths: readonly string[];
  readonly exclude: readonly string[];
}

export interface AddonBackupPolicy {
  readonly enabled: boolean;
  readonly method: string | null;
  readonly schedule: string | null;
  readonly retention: Retention | null;
}

export interface AddonConfig {
  readonly type: AddonType;
  /** null = defaults to the app name */
  readonly name: string | null;
  readonly extensions: readonly string[];
  readonly backup: AddonBackupPolicy | null;
  /** "addons" or the deprecated "provider" */
  readonly declaredAs: 'addons' | 'provider';
}

export interface AppConfig {
  readonly metadata: MetadataConfig;
  readonly build: BuildConfig;
  readonly run: RunConfig;
  readonly env: EnvConfig;
  readonly domains: DomainsConfig | null;
  readonly endpoints: readonly Endpoint[];
  readonly ports: readonly FixedPort[];
  readonly volumes: readonly Volume[];
  readonly limits: LimitsConfig | null;
  readonly healthcheck: HealthcheckConfig | null;
  readonly backup: BackupPolicy | null;
  readonly addons: readonly AddonConfig[];
  readonly test: TestRaw | null;
  /** the [nix] section as written (kebab-case keys), validated; consumed by generateNix */
  readonly nix: NixRaw | null;
}
