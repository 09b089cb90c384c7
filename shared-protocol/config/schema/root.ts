/** The whole file: every top-level section. [env] is validated by its own module. */
import { Type } from '@sinclair/typebox';
import { Table } from './common.ts';
import { NixSchema } from './nix.ts';
import {
  AddonSchema,
  BackupSchema,
  BuildSchema,
  DomainsSchema,
  FixedPortSchema,
  HealthcheckSchema,
  LimitsSchema,
  MetadataSchema,
  PortSchema,
  RunSchema,
  TestSchema,
  VolumeSchema,
} from './sections.ts';

const O = Type.Optional;

/** [env] has a dispatch-by-shape grammar (ADR 046 §1); see validate/env.ts. */
export const EnvSectionSchema = Type.Record(Type.String(), Type.Unknown(), {
  'x-custom': true,
  description: 'variables: string, {generate}, {from,key}, {key}, {external_ip}; _policy; [env.computed]',
});

export const RootSchema = Table({
  metadata: O(MetadataSchema),
  build: O(BuildSchema),
  run: O(RunSchema),
  env: O(EnvSectionSchema),
  domains: O(DomainsSchema),
  port: O(PortSchema),
  ports: O(Type.Array(FixedPortSchema)),
  volumes: O(Type.Array(VolumeSchema)),
  limits: O(LimitsSchema),
  healthcheck: O(HealthcheckSchema),
  backup: O(BackupSchema),
  addons: O(Type.Array(AddonSchema)),
  provider: O(Type.Array(AddonSchema, { description: 'deprecated alias of [[addons]]' })),
  test: O(TestSchema),
  nix: O(NixSchema),
});

export const SECTION_NAMES = Object.keys(RootSchema.properties);
