/** Options the CLI passes to the pure config code (read here, at the edge, not inside it). */
import { parseExtraPgExtensions, type ValidateOptions } from '../../shared-protocol/config/index.ts';

export function validateOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ValidateOptions {
  return { extraPgExtensions: parseExtraPgExtensions(env['HOP3_EXTRA_PG_EXTENSIONS']) };
}
