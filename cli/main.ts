#!/usr/bin/env -S node --import tsx
/**
 * The hop3 CLI entry point — the only place that calls process.exit.
 * Commands return their exit code (table in docs/cli.md, cli/exit-codes.ts).
 */
import { processIo } from './output.ts';
import { runCli } from './run-cli.ts';
import { rootCommand } from './tree.ts';

const code = await runCli(rootCommand, process.argv.slice(2), processIo);
// Let stdout drain (a pipe may still hold output) before leaving.
await new Promise<void>((resolve) => (process.stdout.writableNeedDrain ? process.stdout.once('drain', () => resolve()) : resolve()));
process.exit(code);
