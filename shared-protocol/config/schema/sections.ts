/**
 * TypeBox schemas of the raw sections, as written in hop3.toml (kebab-case
 * keys). They drive the structural validator, give the raw types (Static<>)
 * the normalizers consume, and list the keys for docs and did-you-mean.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Command, Identifier, PortNumber, Removed, Reserved, Retention, Size, StringEnum, StringList, StringMap, Table } from './common.ts';

const O = Type.Optional;

export const BUILDERS = ['auto', 'local', 'docker', 'nix'] as const;

export const MetadataSchema = Table({
  id: O(Identifier),
  version: O(Type.String()),
  title: O(Type.String()),
  description: O(Type.String()),
  homepage: O(Type.String()),
  website: O(Type.String()),
  license: O(Type.String()),
  categories: O(StringList),
  author: O(Reserved('ADR 002 reserved metadata')),
  tagline: O(Reserved('ADR 002 reserved metadata')),
  tags: O(Reserved('ADR 002 reserved metadata')),
  profile: O(Reserved('ADR 002 reserved metadata')),
  release: O(Reserved('ADR 002 reserved metadata')),
});

export const BuildSchema = Table({
  builder: O(StringEnum(BUILDERS)),
  toolchain: O(Type.String({ minLength: 1 })),
  build: O(Command),
  'before-build': O(Command),
  test: O(Command),
  packages: O(StringList),
  'pip-install': O(StringList),
  ignore: O(StringList),
  'ignore-file': O(Removed('E_CONFIG_IGNORE_FILE')),
  license: O(Reserved('ADR 002 reserved build field')),
  'src-url': O(Reserved('ADR 002 reserved build field')),
  'src-checksum': O(Reserved('ADR 002 reserved build field')),
  'git-url': O(Reserved('ADR 002 reserved build field')),
  'git-branch': O(Reserved('ADR 002 reserved build field')),
  'base-image': O(Reserved('ADR 002 reserved build field')),
  method: O(Reserved('ADR 002 reserved build field')),
  builders: O(Reserved('ADR 002 experimental field')),
  'meta-packages': O(Reserved('ADR 002 experimental field')),
  project: O(Reserved('ADR 002 experimental field')),
});

export const ProcessName = '^[A-Za-z0-9_-]+$';

export const RunSchema = Table({
  start: O(Command),
  'before-run': O(Command),
  packages: O(StringList),
  'start-timeout': O(Type.Integer({ minimum: 1, maximum: 3600 })),
  workers: O(
    Type.Record(Type.String(), Command, {
      'x-key-code': 'E_CONFIG_WORKER_NAME',
      'x-key-format': 'a worker name uses letters, digits, "-" and "_"',
    }),
  ),
});

export const DomainsSchema = Table({
  list: Type.Array(Type.String()),
  _policy: O(StringEnum(['keep-existing', 'override'] as const)),
}, 'hostnames bound to the app');

export const EndpointSchema = Table({
  container: O(Type.Union([PortNumber, StringEnum(['$PORT'] as const)])),
  public: O(PortNumber),
  https: O(Type.Boolean()),
  proxy: O(Type.Boolean()),
  subdomain: O(Type.String()),
  path: O(Type.String()),
});

export const PortSchema = Type.Record(Type.String(), Type.Union([PortNumber, EndpointSchema]), {
  'x-key-format': 'an endpoint name uses letters, digits, "-" and "_"',
});

export const FixedPortSchema = Table({
  number: PortNumber,
  protocol: O(StringEnum(['tcp', 'udp'] as const)),
  name: O(Type.String()),
});

export const VolumeSchema = Table({
  name: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', 'x-format': 'use letters, digits, "-" and "_" (1-64)' }),
  target: Type.String(),
  type: O(StringEnum(['persist', 'tmpfs', 'bind'] as const)),
  size: O(Size),
  mode: O(Type.String({ pattern: '^0?[0-7]{3,4}$', 'x-format': 'an octal mode such as "0750"' })),
  source: O(Type.String()),
  backup: O(Table({ include: O(Type.Boolean()) })),
});

export const LimitsSchema = Table({
  memory: O(Size),
  cpu: O(Type.Number({ exclusiveMinimum: 0, maximum: 1024 })),
  processes: O(Type.Integer({ minimum: 1, maximum: 4194304 })),
});

export const HealthcheckSchema = Table({
  path: O(Type.String({ pattern: '^/', 'x-format': 'an HTTP path starting with "/"' })),
  timeout: O(Type.Number({ exclusiveMinimum: 0 })),
  interval: O(Type.Number({ exclusiveMinimum: 0 })),
});

export const BackupSchema = Table({
  enabled: O(Type.Boolean()),
  schedule: O(Type.String()),
  retention: O(Retention),
  paths: O(StringList),
  exclude: O(StringList),
});

export const ADDON_TYPES = ['postgres', 'mysql', 'redis', 's3'] as const;

export const AddonBackupSchema = Table({
  enabled: O(Type.Boolean()),
  method: O(Type.String({ minLength: 1 })),
  schedule: O(Type.String()),
  retention: O(Retention),
});

export const AddonSchema = Table({
  type: StringEnum(ADDON_TYPES),
  name: O(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$', 'x-format': 'use 1-63 letters, digits, "-" and "_"' })),
  extensions: O(StringList),
  backup: O(AddonBackupSchema),
  version: O(Reserved('addon version pinning is future work (ADR 046)')),
});

export const TestSchema = Table({
  priority: O(StringEnum(['P0', 'P1', 'P2'] as const)),
  tier: O(StringEnum(['fast', 'medium', 'slow', 'very-slow'] as const)),
  targets: O(Type.Array(StringEnum(['docker', 'remote'] as const))),
  author: O(Type.String()),
  covers: O(StringList),
  validations: O(
    Type.Array(
      Table({
        path: Type.String({ pattern: '^/', 'x-format': 'an HTTP path starting with "/"' }),
        status: O(Type.Integer({ minimum: 100, maximum: 599 })),
        contains: O(Type.String()),
      }),
    ),
  ),
});

export type MetadataRaw = Static<typeof MetadataSchema>;
export type BuildRaw = Static<typeof BuildSchema>;
export type RunRaw = Static<typeof RunSchema>;
export type DomainsRaw = Static<typeof DomainsSchema>;
export type EndpointRaw = Static<typeof EndpointSchema>;
export type PortRaw = Static<typeof PortSchema>;
export type FixedPortRaw = Static<typeof FixedPortSchema>;
export type VolumeRaw = Static<typeof VolumeSchema>;
export type LimitsRaw = Static<typeof LimitsSchema>;
export type HealthcheckRaw = Static<typeof HealthcheckSchema>;
export type BackupRaw = Static<typeof BackupSchema>;
export type AddonRaw = Static<typeof AddonSchema>;
export type AddonBackupRaw = Static<typeof AddonBackupSchema>;
export type TestRaw = Static<typeof TestSchema>;
export type RetentionRaw = Static<typeof Retention>;
