/**
 * Codes the server raises outside HTTP requests (start-up and admin commands).
 * They never reach an API client; main.ts prints them with their hint.
 */
import { defineErrors } from '../shared-protocol/errors.ts';

export const SERVER_ERRORS = defineErrors({
  E_CONFIG_INVALID: {
    meaning: 'The server config file or a HOP3_* variable is unreadable or invalid.',
    hint: 'Fix the named setting; docs/server.md lists every setting.',
  },
  E_KEY_INVALID: {
    meaning: 'The server key file exists but is not 32 bytes, or is readable by group/other, or is not a regular file.',
    hint: 'Restore server.key from backup with mode 0600; never replace it with a new key while secrets are stored.',
  },
  E_DATA_DIR: {
    meaning: 'The data directory cannot be created or has unsafe permissions.',
    hint: 'Create it owned by the server user with mode 0700.',
  },
  E_DB: {
    meaning: 'The SQLite database cannot be opened or migrated.',
    hint: 'Check the data directory, disk space, and the server log for the SQLite message.',
  },
  E_TOKEN_NOT_FOUND: {
    meaning: 'No active API token has this name or id.',
    hint: 'List tokens with `hop3-server admin list-tokens`.',
  },
  E_TOKEN_EXISTS: {
    meaning: 'An active API token already has this name.',
    hint: 'Pick another name, or revoke the old token first.',
  },
  E_LISTEN: {
    meaning: 'The server cannot listen on the configured address.',
    hint: 'Check that nothing else listens there, and that the socket directory exists and is writable.',
  },
  E_USAGE: {
    meaning: 'The command line is not valid.',
    hint: 'Run `hop3-server --help`.',
  },
});
