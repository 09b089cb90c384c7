#!/usr/bin/env -S node --import tsx
/**
 * The hop3 CLI entry point — the only place that calls process.exit.
 * Commands return their exit code; usage errors exit 2.
 */
import { defineCommand, runCommand, runMain, type CommandDef } from 'citty';
import { configCommand } from './commands/config.ts';

const main = defineCommand({
  meta: { name: 'hop3', version: '0.1.0', description: 'Hop3 command-line interface' },
  subCommands: { config: configCommand },
});

const rawArgs = process.argv.slice(2);

/**
 * Follow the sub-command names to the leaf command, so that its run()'s
 * return value (the exit code) reaches us: citty only returns the result of
 * the command it was handed.
 */
function leafOf(cmd: CommandDef, args: string[]): { cmd: CommandDef; args: string[] } {
  const subs = cmd.subCommands as Record<string, CommandDef> | undefined;
  const i = args.findIndex((a) => !a.startsWith('-'));
  const name = i === -1 ? undefined : args[i];
  const sub = name === undefined || subs === undefined ? undefined : subs[name];
  if (sub === undefined) return { cmd, args };
  return leafOf(sub, [...args.slice(0, i), ...args.slice(i + 1)]);
}

async function run(): Promise<number> {
  if (rawArgs.length === 0 || rawArgs.includes('--help') || rawArgs.includes('-h') || rawArgs.includes('--version')) {
    await runMain(main, { rawArgs: rawArgs.length === 0 ? ['--help'] : rawArgs });
    return 0;
  }
  try {
    const leaf = leafOf(main as CommandDef, rawArgs);
    const { result } = await runCommand(leaf.cmd, { rawArgs: leaf.args });
    return typeof result === 'number' ? result : 0;
  } catch (e: unknown) {
    const err = e as { name?: string; message?: string };
    if (err.name === 'CLIError') {
      process.stderr.write(`hop3: ${err.message ?? String(e)}\nRun "hop3 --help" for usage.\n`);
      return 2;
    }
    process.stderr.write(`hop3: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

process.exit(await run());
