/**
 * Field schemas shared by op families. Patterns are explicit (no format
 * registry needed); every object schema sets additionalProperties: false.
 */
import { Type } from '@sinclair/typebox';

/** App names: 1-63 chars, lowercase letters, digits and dashes, no leading/trailing dash. */
export const APP_NAME_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$';
export const AppName = Type.String({ minLength: 1, maxLength: 63, pattern: APP_NAME_PATTERN, description: 'App name' });

export const Port = Type.Integer({ minimum: 1, maximum: 65535 });

/** RFC-1123 hostname, lowercase, at least one dot-free label; total ≤ 253. */
export const HOSTNAME_PATTERN =
  '^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$';
export const Hostname = Type.String({ minLength: 1, maxLength: 253, pattern: HOSTNAME_PATTERN });

/** A path relative to the app's src/ tree. The path guard does the real containment check. */
export const RelativeTarget = Type.String({
  minLength: 1,
  maxLength: 1024,
  pattern: '^[^/\\u0000][^\\u0000]*$',
  description: 'Relative path inside <APP_ROOT>/<app>/src/; no "..", no NUL, no symlinks',
});

/** An absolute host path (bind sources); checked against the operator allow-list. */
export const AbsolutePath = Type.String({ minLength: 1, maxLength: 4096, pattern: '^/[^\\u0000]*$' });

export const Description = Type.String({ maxLength: 200, pattern: '^[^\\u0000-\\u001f\\u007f"\\\\]*$' });

/** Opaque ids naming certificates stored by rootd's operator config (never file contents). */
export const CertId = Type.String({ minLength: 1, maxLength: 128, pattern: '^[a-z0-9][a-z0-9._-]*$' });

export const Empty = Type.Object({}, { additionalProperties: false });
export const Removed = Type.Object({ removed: Type.Boolean() }, { additionalProperties: false });
