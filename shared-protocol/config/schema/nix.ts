/**
 * [nix]: template-based Nix builds. The field list mirrors the generator's
 * NixInput (../nix/types.ts) exactly, and the per-template required fields
 * come from its TEMPLATE_FIELDS: the loader and generateNix share one
 * definition, so a field cannot be accepted by one and refused by the other.
 */
import { Type, type Static } from '@sinclair/typebox';
import { NIX_ARCHIVES, NIX_TEMPLATES, TEMPLATE_FIELDS, type NixField, type NixTemplate } from '../nix/types.ts';
import { StringEnum, StringList, StringMap, Table } from './common.ts';

export { NIX_TEMPLATES, type NixTemplate };

const O = Type.Optional;

/** Fields each template cannot do without (beyond template itself): the generator's list. */
export const NIX_REQUIRED: Readonly<Record<NixTemplate, readonly NixField[]>> = Object.fromEntries(
  NIX_TEMPLATES.map((t) => [t, TEMPLATE_FIELDS[t].required]),
) as Record<NixTemplate, readonly NixField[]>;

export const NixConfigFileSchema = Table({
  path: Type.String({ minLength: 1 }),
  format: O(StringEnum(['ini', 'raw'] as const)),
  'create-if-missing': O(Type.Boolean()),
  sections: O(Type.Record(Type.String(), StringMap)),
  'raw-content': O(Type.String()),
});

export const NixSchema = Table({
  template: Type.String(),
  url: O(Type.String({ pattern: '^https?://', 'x-format': 'an http(s) URL' })),
  sha256: O(Type.String({ minLength: 1 })),
  executable: O(Type.Boolean()),
  archive: O(StringEnum(NIX_ARCHIVES)),
  'binary-name': O(Type.String({ minLength: 1 })),
  'exec-target': O(Type.String({ minLength: 1 })),
  'exec-args': O(StringList),
  'extra-paths': O(StringList),
  'pre-exec': O(StringList),
  'local-vars': O(StringMap),
  'env-exports': O(StringMap),
  'runtime-env': O(StringMap),
  'conditional-env': O(
    Type.Array(Table({ name: Type.String({ minLength: 1 }), 'condition-var': O(Type.String()), value: Type.String() })),
  ),
  'config-files': O(Type.Array(NixConfigFileSchema)),
  'nixpkgs-package': O(Type.String({ minLength: 1 })),
  'runtime-package': O(Type.String({ minLength: 1 })),
  'pip-packages': O(StringList),
  'jvm-opts': O(StringList),
  'php-version': O(Type.String()),
  'php-extensions': O(StringList),
  'needs-composer': O(Type.Boolean()),
  'composer-extra-flags': O(StringList),
  'serve-mode': O(StringEnum(['builtin', 'artisan'] as const)),
  'web-root': O(Type.String()),
  'post-install-dirs': O(StringList),
});

export type NixRaw = Static<typeof NixSchema>;

/** Compile-time guard: the schema's fields are exactly the generator's NixField set. */
type SchemaField = Exclude<keyof NixRaw, 'template'>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const NIX_SCHEMA_MATCHES_GENERATOR: Same<SchemaField, NixField> = true;
