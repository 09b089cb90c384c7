/**
 * Error codes of the deploy pipeline itself (the steps add the codes of the
 * parts they call: E_UPLOAD_*, E_BUILD_*, E_RUNTIME_*, E_ENV_*, rootd's).
 * A failed deploy reports {code, message, hint} in its end event and on its
 * release row; docs/deploy.md lists them.
 */
import { defineErrors } from '../../shared-protocol/errors.ts';

export const DEPLOY_ERRORS = defineErrors({
  E_APP_CONFIG_INVALID: {
    meaning: 'The app config (hop3.toml / hop3.yaml / hop3.json / Procfile) has errors; nothing was changed.',
    hint: 'Fix the errors listed in the deploy log; `hop3 config validate` shows them locally.',
  },
  E_CONFIG_UNSUPPORTED: {
    meaning: 'The app config uses a section this server cannot honour yet; the deploy stops rather than run the app without it.',
    hint: 'Remove the named section (or deploy to a server that supports it); docs/deploy.md lists what is supported.',
  },
  E_NOTHING_TO_RUN: {
    meaning: 'The app declares no process (no [run].start, no Procfile entry, no worker) and is not a static site.',
    hint: 'Add [run] start = "..." (the web process, listening on $PORT) or a Procfile "web:" line, or declare toolchain = "static".',
  },
  E_RELEASE_COMMAND_FAILED: {
    meaning: 'A prerun (before-run) or release command exited non-zero or timed out; the new release was not started.',
    hint: 'Read its output in the deploy log; the previous release still serves.',
  },
  E_DEPLOY_INTERRUPTED: {
    meaning: 'hop3-server stopped while this deploy ran; the deploy was abandoned and its processes removed at the next start.',
    hint: 'Deploy again.',
  },
});

export type DeployErrorCode = keyof typeof DEPLOY_ERRORS;
