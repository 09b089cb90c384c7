/**
 * Error codes of the app runtime (uWSGI vassals, ports, process supervision).
 * Domain code throws Hop3Error with one of these codes; the edges translate.
 */
import { defineErrors } from '../../shared-protocol/errors.ts';

export const RUNTIME_ERRORS = defineErrors({
  E_RUNTIME_INVALID_NAME: {
    meaning: 'An app name, release id, process type or index cannot name a vassal file.',
    hint: 'App: lowercase letters, digits and "-"; release: letters, digits, "." and "-"; type: letters, digits, "_" and "-"; index: 1-999.',
  },
  E_RUNTIME_ENV_KEY: {
    meaning: 'An environment variable name is not a portable name ([A-Za-z_][A-Za-z0-9_]*).',
    hint: 'Rename the variable with letters, digits and underscores, not starting with a digit.',
  },
  E_RUNTIME_ENV_RESERVED: {
    meaning: 'The env sets a variable the platform owns for this process (PORT for a web process).',
    hint: 'Remove it from the app env: the platform sets PORT to the port it allocated.',
  },
  E_RUNTIME_UNREPRESENTABLE: {
    meaning: 'A value (env value, command or path) cannot be written into a uWSGI vassal without changing its meaning.',
    hint: 'Values may not contain a newline, carriage return or NUL, nor a uWSGI option reference such as "%(chdir)".',
  },
  E_RUNTIME_PATH: {
    meaning: 'A path given to the runtime is not an absolute, normalized path.',
    hint: 'Pass absolute paths without "..", "." segments or trailing slashes.',
  },
  E_PORT_EXHAUSTED: {
    meaning: 'No free loopback port is left in the configured range.',
    hint: 'Stop unused releases or widen the port range in the server config.',
  },
  E_RUNTIME_START_TIMEOUT: {
    meaning: 'The process did not become healthy before the start timeout.',
    hint: 'Check that the app listens on 127.0.0.1:$PORT and answers the health path; raise [run].start-timeout for slow starts.',
  },
  E_RUNTIME_CRASH_LOOP: {
    meaning: 'The process exits again and again right after it starts.',
    hint: 'Read the app log shown above: the start command fails.',
  },
  E_HEALTHCHECK_FAILED: {
    meaning: 'The health path answered with a server error.',
    hint: 'Fix the app so that [healthcheck].path answers 2xx or 3xx.',
  },
  E_RUNTIME_ALREADY_RUNNING: {
    meaning: 'A process of this release (same type and index) already has a vassal.',
    hint: 'Stop the release first, or deploy it as a new release id.',
  },
  E_RUNTIME_STOP_TIMEOUT: {
    meaning: 'Processes of a stopped release were still alive after the kill timeout.',
    hint: 'Check that the uWSGI emperor is running; the listed pids need a manual kill.',
  },
  E_EMPEROR_UNAVAILABLE: {
    meaning: 'The uWSGI emperor did not start or does not pick up vassal files.',
    hint: 'Start the emperor (hop3-emperor service) and check that it watches the configured vassal directory.',
  },
});

export type RuntimeErrorCode = keyof typeof RUNTIME_ERRORS;
