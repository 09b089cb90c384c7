/** hop3 config: validate, explain, migrate run locally, without a server; set, unset, show manage the app env on the server. */
import { defineCommand } from 'citty';
import { EXIT } from '../exit-codes.ts';
import { resolve } from 'node:path';
import { loadApp, type Diagnostic } from '../../shared-protocol/config/index.ts';
import { printDiagnostics } from '../render.ts';
import { envSubCommands } from './config-env.ts';
import { explainCommand } from './config-explain.ts';
import { migrateCommand } from './config-migrate.ts';
import { validateOptionsFromEnv } from './options.ts';

export interface ValidateReport {
  readonly valid: boolean;
  readonly dir: string;
  readonly files: { readonly config: string | null; readonly procfile: string | null; readonly hop3ignore: string | null };
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
}

export const validateCommand = defineCommand({
  meta: { name: 'validate', description: 'Check hop3.toml (or hop3.yaml/.json) and the Procfile; exit 0 when valid, 7 when not' },
  args: {
    dir: { type: 'positional', required: false, default: '.', description: 'app directory' },
    json: { type: 'boolean', default: false, description: 'print a JSON report' },
  },
  run({ args }): number {
    const dir = resolve(String(args.dir));
    const r = loadApp(dir, validateOptionsFromEnv());
    const report: ValidateReport = {
      valid: r.plan !== null,
      dir,
      files: r.files,
      errors: r.diagnostics.filter((d) => d.severity === 'error'),
      warnings: r.diagnostics.filter((d) => d.severity === 'warning'),
    };
    if (args.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      printDiagnostics(r.diagnostics, (s) => process.stdout.write(s));
      if (report.valid) {
        const which = [r.files.config, r.files.procfile].filter((f) => f !== null).join(' + ');
        process.stdout.write(`valid: ${which}\n`);
      }
    }
    return report.valid ? EXIT.OK : EXIT.INVALID_CONFIG;
  },
});

export const configCommand = defineCommand({
  meta: { name: 'config', description: 'Check the app configuration (hop3.toml, Procfile) and manage its env vars' },
  subCommands: { validate: validateCommand, explain: explainCommand, migrate: migrateCommand, ...envSubCommands },
});
