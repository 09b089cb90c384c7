/**
 * The seam between the config loader and the hop3.nix generator: the
 * normalized AppConfig keeps [nix] as written (kebab-case keys), and
 * generateNix takes `{ app: {name, version?, description?}, ...nix }`.
 * Pure: `hop3 nix eject` and the build call generateNixForConfig.
 */
import type { AppConfig, MetadataConfig } from '../model.ts';
import type { NixRaw } from '../schema/nix.ts';
import { generateNix } from './generate.ts';
import type { NixAppIdentity, NixInput } from './types.ts';
import { nixError } from './validate.ts';

export interface NixFromConfigOptions {
  /**
   * The app's name on the server (the deploy's name). When given it names
   * the derivation; otherwise [metadata].id does. One of the two is required.
   */
  readonly appName?: string;
}

type Identity = Pick<MetadataConfig, 'id' | 'version' | 'description'>;

/** The generator input for a [nix] table and the app identity ([metadata] plus the deploy name). */
export function nixInputFromParts(nix: NixRaw, metadata: Identity, options: NixFromConfigOptions = {}): NixInput {
  const name = options.appName ?? metadata.id;
  if (name === null || name === '') {
    throw nixError('E_NIX_MISSING_FIELD', 'the app name is required to generate hop3.nix.', { field: 'app.name' },
      'Set [metadata].id, or pass the deployed app name.');
  }
  const app: NixAppIdentity = {
    name,
    ...(metadata.version === null ? {} : { version: metadata.version }),
    ...(metadata.description === null ? {} : { description: metadata.description }),
  };
  return { app, ...nix };
}

/** The generator input for a loaded config; E_NIX_NOT_CONFIGURED when it has no [nix] section. */
export function nixInputFromConfig(config: AppConfig, options: NixFromConfigOptions = {}): NixInput {
  if (config.nix === null) {
    throw nixError('E_NIX_NOT_CONFIGURED', 'this app config has no [nix] section: there is no template to generate hop3.nix from.', {});
  }
  return nixInputFromParts(config.nix, config.metadata, options);
}

/** hop3.nix for a loaded config (what `hop3 nix eject` writes). Throws Hop3Error (E_NIX_*). */
export function generateNixForConfig(config: AppConfig, options: NixFromConfigOptions = {}): string {
  return generateNix(nixInputFromConfig(config, options));
}
