/** The hop3 command tree: main.ts runs it, the docs generator renders it. */
import { defineCommand, type CommandDef } from 'citty';
import { addonCommand, addonsCommand } from './commands/addon.ts';
import { appCommand, appsCommand } from './commands/apps.ts';
import { configCommand } from './commands/config.ts';
import { deployCommand } from './commands/deploy.ts';
import { domainsCommand } from './commands/domains.ts';
import { loginCommand, logoutCommand, whoamiCommand } from './commands/login.ts';
import { logsCommand } from './commands/logs.ts';
import { psCommand } from './commands/ps.ts';
import { releasesCommand, rollbackCommand } from './commands/releases.ts';
import { runCommand } from './commands/run.ts';
import { VERSION } from './common.ts';

export const rootCommand = defineCommand({
  meta: { name: 'hop3', version: VERSION, description: 'Hop3 command-line interface' },
  subCommands: {
    login: loginCommand,
    logout: logoutCommand,
    whoami: whoamiCommand,
    deploy: deployCommand,
    apps: appsCommand,
    app: appCommand,
    logs: logsCommand,
    run: runCommand,
    config: configCommand,
    domains: domainsCommand,
    ps: psCommand,
    releases: releasesCommand,
    rollback: rollbackCommand,
    addon: addonCommand,
    addons: addonsCommand,
  },
}) as CommandDef;
