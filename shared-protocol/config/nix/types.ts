/**
 * Input of the hop3.nix generator: the [nix] table of hop3.toml with its
 * TOML (kebab-case) key names, plus the app identity. The config loader
 * passes `{ app: {name, version, description}, ...nixTable }`.
 */

export const NIX_TEMPLATES = [
  'nixpkgs-wrapper',
  'python-venv',
  'php-app',
  'java-war',
  'ruby-bundler',
  'prebuilt-binary',
  'prebuilt-archive',
  'node-prebuilt',
] as const;

export type NixTemplate = (typeof NIX_TEMPLATES)[number];

export const NIX_ARCHIVES = ['tar-gz', 'tar-bz2', 'tar-xz', 'zip'] as const;
export type NixArchive = (typeof NIX_ARCHIVES)[number];

export interface NixConfigFileInput {
  /** Relative to the app working directory, without "..". */
  readonly path: string;
  /** "ini" (needs sections) or "raw" (needs raw-content). Default "raw". */
  readonly format?: string;
  readonly 'create-if-missing'?: boolean;
  readonly sections?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly 'raw-content'?: string;
}

export interface NixConditionalEnvInput {
  readonly name: string;
  /** Variable tested for emptiness; defaults to `name`. */
  readonly 'condition-var'?: string;
  readonly value: string;
}

export interface NixAppIdentity {
  readonly name: string;
  /** [metadata].version; required when `url` uses ${version}; default "0.0.0". */
  readonly version?: string;
  readonly description?: string;
}

export interface NixInput {
  readonly app: NixAppIdentity;
  readonly template: string;
  // source download (java-war, prebuilt-*, node-prebuilt)
  readonly url?: string;
  readonly sha256?: string;
  readonly executable?: boolean;
  readonly archive?: string;
  // what to run
  readonly 'binary-name'?: string;
  readonly 'exec-target'?: string;
  readonly 'exec-args'?: readonly string[];
  readonly 'extra-paths'?: readonly string[];
  readonly 'pre-exec'?: readonly string[];
  // wrapper script and runtime.json
  readonly 'local-vars'?: Readonly<Record<string, string>>;
  readonly 'env-exports'?: Readonly<Record<string, string>>;
  readonly 'runtime-env'?: Readonly<Record<string, string>>;
  readonly 'conditional-env'?: readonly NixConditionalEnvInput[];
  readonly 'config-files'?: readonly NixConfigFileInput[];
  // runtimes
  readonly 'nixpkgs-package'?: string;
  readonly 'runtime-package'?: string;
  readonly 'pip-packages'?: readonly string[];
  readonly 'jvm-opts'?: readonly string[];
  // php-app
  readonly 'php-version'?: string;
  readonly 'php-extensions'?: readonly string[];
  readonly 'needs-composer'?: boolean;
  readonly 'composer-extra-flags'?: readonly string[];
  readonly 'serve-mode'?: string;
  readonly 'web-root'?: string;
  readonly 'post-install-dirs'?: readonly string[];
}

export type NixField = Exclude<keyof NixInput, 'app' | 'template'>;

/** Wrapper-script fields every template accepts. */
export const COMMON_FIELDS: readonly NixField[] = [
  'exec-args', 'extra-paths', 'pre-exec', 'local-vars', 'env-exports', 'runtime-env', 'conditional-env', 'config-files',
];

export interface TemplateFields {
  readonly tier: 1 | 2 | 3;
  readonly required: readonly NixField[];
  readonly optional: readonly NixField[];
}

/** Required and optional fields per template (besides COMMON_FIELDS). */
export const TEMPLATE_FIELDS: Readonly<Record<NixTemplate, TemplateFields>> = {
  'nixpkgs-wrapper': { tier: 1, required: ['nixpkgs-package', 'exec-target'], optional: [] },
  'python-venv': { tier: 2, required: ['exec-target'], optional: ['runtime-package', 'pip-packages'] },
  // php-version defaults to php82 (the reference does not mark it required).
  'php-app': {
    tier: 2,
    required: [],
    optional: ['php-version', 'php-extensions', 'needs-composer', 'composer-extra-flags', 'serve-mode', 'web-root', 'post-install-dirs'],
  },
  'java-war': { tier: 1, required: ['url', 'sha256'], optional: ['runtime-package', 'jvm-opts'] },
  'ruby-bundler': { tier: 2, required: ['exec-target'], optional: ['runtime-package'] },
  'prebuilt-binary': { tier: 3, required: ['url', 'sha256', 'binary-name'], optional: ['executable', 'archive', 'exec-target'] },
  'prebuilt-archive': { tier: 3, required: ['url', 'sha256', 'archive', 'exec-target'], optional: [] },
  'node-prebuilt': { tier: 3, required: ['url', 'sha256', 'archive', 'exec-target'], optional: ['runtime-package'] },
};
