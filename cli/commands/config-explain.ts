/** hop3 config explain [dir]: the resolved plan, secrets masked. */
import { defineCommand } from 'citty';
import { EXIT } from '../exit-codes.ts';
import { resolve } from 'node:path';
import { loadApp } from '../../shared-protocol/config/index.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { printDiagnostics } from '../render.ts';
import { explainPlan, renderExplained, type Explained } from './explain-plan.ts';
import { validateOptionsFromEnv } from './options.ts';

export const explainCommand = defineCommand({
  meta: { name: 'explain', description: 'Show what the config means: processes, builder, addons, volumes, limits, ports, domains, env' },
  args: {
    dir: { type: 'positional', required: false, default: '.', description: 'app directory' },
    json: { type: 'boolean', default: false, description: 'print JSON' },
  },
  run({ args }): number {
    const r = loadApp(resolve(String(args.dir)), validateOptionsFromEnv());
    if (r.plan === null) {
      printDiagnostics(r.diagnostics, (s) => process.stderr.write(s));
      return EXIT.INVALID_CONFIG;
    }
    let explained: Explained;
    try {
      explained = explainPlan(r.plan);
    } catch (e) {
      // the dry env resolution found an error a deploy would hit (e.g. an [env.computed] cycle)
      if (!isHop3Error(e)) throw e;
      printDiagnostics(r.diagnostics, (s) => process.stderr.write(s));
      process.stderr.write(`error ${e.code}: ${e.message}\n    hint: ${e.hint ?? ''}\n`);
      return EXIT.INVALID_CONFIG;
    }
    if (args.json) {
      process.stdout.write(`${JSON.stringify({ ...explained, warnings: r.diagnostics })}\n`);
      return 0;
    }
    printDiagnostics(r.diagnostics, (s) => process.stderr.write(s));
    const files = [r.files.config, r.files.procfile].filter((f) => f !== null).join(' + ');
    process.stdout.write(renderExplained(explained, files));
    return 0;
  },
});
