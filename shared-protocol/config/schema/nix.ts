/** [nix]: template-based Nix builds (the generator lives in ../nix/). */
import { Type, type Static } from '@sinclair/typebox';
import { StringEnum, StringList, StringMap, Table } from './common.ts';

const O = Type.Optional;

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

/** Fields each template cannot do without (beyond template itself). */
export const NIX_REQUIRED: Readonly<Record<NixTemplate, readonly string[]>> = {
  'nixpkgs-wrapper': ['nixpkgs-package', 'exec-target'],
  'python-venv': ['exec-target'],
  'php-app': [],
  'java-war': ['url', 'sha256'],
  'ruby-bundler': ['exec-target'],
  'prebuilt-binary': ['url', 'sha256', 'binary-name'],
  'prebuilt-archive': ['url', 'sha256', 'exec-target'],
  'node-prebuilt': ['url', 'sha256', 'exec-target'],
};

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
  version: O(Type.String()),
  executable: O(Type.Boolean()),
  archive: O(StringEnum(['tar-gz', 'tar-bz2', 'tar-xz', 'zip'] as const)),
  'binary-name': O(Type.String({ minLength: 1 })),
  'source-root': O(Type.String()),
  'strip-components': O(Type.Integer({ minimum: 0 })),
  'nixpkgs-package': O(Type.String({ minLength: 1 })),
  'runtime-package': O(Type.String()),
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
  'file-mappings': O(
    Type.Array(
      Table({
        source: Type.String({ minLength: 1 }),
        destination: Type.String({ minLength: 1 }),
        recursive: O(Type.Boolean()),
        executable: O(Type.Boolean()),
      }),
    ),
  ),
  'php-version': O(Type.String()),
  'php-extensions': O(StringList),
  'needs-composer': O(Type.Boolean()),
  'composer-extra-flags': O(StringList),
  'serve-mode': O(StringEnum(['builtin', 'artisan'] as const)),
  'web-root': O(Type.String()),
  'post-install-dirs': O(StringList),
  'single-file': O(Type.Boolean()),
  'skip-source-copy': O(Type.Boolean()),
  'needs-writable-dir': O(Type.Boolean()),
  'extra-native-build-inputs': O(StringList),
  'unpack-without-top-level': O(Type.Boolean()),
  'war-file': O(Type.String()),
  'jvm-default-opts': O(Type.String()),
  'pip-packages': O(StringList),
});

export type NixRaw = Static<typeof NixSchema>;
