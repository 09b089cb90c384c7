/** hop3 config migrate procfile <dir> [--dry-run]: write an equivalent hop3.toml, never overwriting. */
import { defineCommand } from 'citty';
import { EXIT } from '../exit-codes.ts';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  CONFIG_CANDIDATES, formatDiagnostic, mergePlan, parseProcfile, PROCFILE, Reporter, validateConfigText,
} from '../../shared-protocol/config/index.ts';
import { printDiagnostics } from '../render.ts';
import { procfileToToml } from './procfile-to-toml.ts';

function fail(code: 'E_CONFIG_EXISTS' | 'E_CONFIG_NO_FILE', file: string, message: string): number {
  const rep = new Reporter(file);
  rep.at(code, 0, 0, message);
  for (const d of rep.diagnostics) process.stderr.write(`${formatDiagnostic(d)}\n`);
  return code === 'E_CONFIG_EXISTS' ? EXIT.CONFLICT : EXIT.NOT_FOUND;
}

const procfileCommand = defineCommand({
  meta: { name: 'procfile', description: 'Convert a Procfile into an equivalent hop3.toml' },
  args: {
    dir: { type: 'positional', required: true, description: 'app directory holding the Procfile' },
    'dry-run': { type: 'boolean', default: false, description: 'print the hop3.toml instead of writing it' },
    json: { type: 'boolean', default: false, description: 'print one JSON document: {written, toml, kept_in_procfile}' },
  },
  run({ args }): number {
    const dir = resolve(String(args.dir));
    const procPath = join(dir, PROCFILE);
    if (!existsSync(procPath)) return fail('E_CONFIG_NO_FILE', procPath, `no Procfile in ${dir}`);
    const existing = CONFIG_CANDIDATES.filter((c) => existsSync(join(dir, c)));
    if (existing.length > 0 && !args['dry-run']) {
      return fail('E_CONFIG_EXISTS', join(dir, existing[0] ?? ''), `${existing.join(', ')} already exists; refusing to overwrite`);
    }
    const procText = readFileSync(procPath, 'utf8');
    const rep = new Reporter(PROCFILE);
    const procfile = parseProcfile(procText, rep);
    if (rep.errorCount > 0) {
      printDiagnostics(rep.diagnostics, (s) => process.stderr.write(s));
      return EXIT.INVALID_CONFIG;
    }
    const migration = procfileToToml(procfile, dir);
    // Self-check: the generated file is valid and, merged with the Procfile, runs the same processes.
    const check = validateConfigText(migration.text, 'hop3.toml');
    if (check.config === null) {
      printDiagnostics(check.diagnostics, (s) => process.stderr.write(s));
      return EXIT.INVALID_CONFIG;
    }
    const merged = mergePlan(check.config, procfile);
    for (const [name, command] of Object.entries(procfile.processes)) {
      if (merged.processes[name]?.command !== command) throw new Error(`migration changed process ${name}`);
    }
    const target = join(dir, 'hop3.toml');
    if (!args['dry-run']) writeFileSync(target, migration.text, { flag: 'wx' });
    if (args.json) {
      const doc = { written: args['dry-run'] ? null : target, toml: migration.text, kept_in_procfile: migration.keptInProcfile };
      process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
      return 0;
    }
    if (args['dry-run']) {
      process.stdout.write(migration.text);
      return 0;
    }
    process.stdout.write(`wrote ${target}\n`);
    if (migration.keptInProcfile.length > 0) {
      process.stdout.write(`kept in the Procfile (no hop3.toml form): ${migration.keptInProcfile.join(', ')}\n`);
    }
    return 0;
  },
});

export const migrateCommand = defineCommand({
  meta: { name: 'migrate', description: 'Migrate other config formats to hop3.toml' },
  subCommands: { procfile: procfileCommand },
});
