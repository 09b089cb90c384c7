/**
 * The normalized [env] model shared by the config loader (which produces it)
 * and the env resolver (which consumes it). ADR 046 §1.
 *
 * A table value in [env] is dispatched by its keys: `generate` → generate,
 * `from`/`key` → ref, `external_ip` → external_ip. Anything else is a
 * validation error in the loader, never a silent drop.
 */

export type GenerateKind = 'hex' | 'base64' | 'urlsafe' | 'password' | 'uuid';

export type EnvValue =
  | { readonly kind: 'static'; readonly value: string }
  | {
      readonly kind: 'generate';
      readonly generate: GenerateKind;
      /** bytes of entropy for hex/base64/urlsafe, characters for password; ignored for uuid */
      readonly length?: number;
      readonly prefix?: string;
      readonly display: boolean;
    }
  /** `from` omitted = an app fact (domain, hostname, name) */
  | { readonly kind: 'ref'; readonly from?: string; readonly key: string }
  | { readonly kind: 'external_ip'; readonly family: 'v4' | 'v6' };

export interface EnvConfig {
  /** `_policy`: keep (default) leaves existing values alone; override lets steps 2-4 overwrite. */
  readonly policy: 'keep' | 'override';
  /** Every [env] key except `_policy` and `computed`, in file order. */
  readonly vars: Readonly<Record<string, EnvValue>>;
  /** [env.computed]: values with ${VAR} interpolation. */
  readonly computed: Readonly<Record<string, string>>;
}
