/** hop3.nix generation from [nix] templates. */
export { generateNix } from './generate.ts';
export { generateNixForConfig, nixInputFromConfig, nixInputFromParts, type NixFromConfigOptions } from './from-config.ts';
export { validateNixInput, type ValidNixInput } from './validate.ts';
export { NIX_ERRORS, type NixErrorCode } from './errors.ts';
export { escapeNixString, nixStr } from './escape.ts';
export {
  COMMON_FIELDS,
  NIX_ARCHIVES,
  NIX_TEMPLATES,
  TEMPLATE_FIELDS,
  type NixAppIdentity,
  type NixConditionalEnvInput,
  type NixConfigFileInput,
  type NixField,
  type NixInput,
  type NixTemplate,
} from './types.ts';
