/** hop3 apps, hop3 app status|start|stop|restart|destroy. */
import { defineCommand } from 'citty';
import type { AppStatus } from '../../shared-protocol/api/processes.ts';
import { appArg, appFrom, connect, jsonArg } from '../common.ts';
import { usageError } from '../errors.ts';
import { clean, emit, processIo as io } from '../output.ts';
import { appsTable, duration, processTable, scaleLine, stepsLine, when } from '../render-api.ts';

export const appsCommand = defineCommand({
  meta: { name: 'apps', description: 'List apps: state, current release, host names' },
  args: { ...jsonArg },
  async run({ args }): Promise<number> {
    const r = await connect().call('apps.list', {});
    emit(io, args.json, r, () => appsTable(r.apps));
    return 0;
  },
});

function statusText(s: AppStatus): string {
  const lines = [`app:       ${clean(s.app.name)} (${s.app.state})`, `url:       ${s.url === null ? '-' : clean(s.url)}`];
  lines.push(`hostnames: ${s.app.hostnames.map(clean).join(', ')}`);
  if (s.release === null) lines.push('release:   none yet');
  else {
    const r = s.release;
    lines.push(`release:   #${r.number} ${r.status}, ${r.builder ?? 'no builder'}, deployed ${when(r.finished_at ?? r.created_at)} in ${duration(r.deploy_ms)}`);
    if (r.steps.length > 0) lines.push(`steps:     ${stepsLine(r.steps)}`);
  }
  if (s.deploy !== null) lines.push(`deploy:    ${s.deploy.kind} ${s.deploy.id} of release ${s.deploy.release}: ${s.deploy.status} (since ${when(s.deploy.started_at)})`);
  lines.push(`scale:     ${scaleLine(s.scale)}`, 'processes:', processTable(s.processes));
  return lines.join('\n');
}

const statusCommand = defineCommand({
  meta: { name: 'status', description: 'The app, its current release, processes and any running deploy' },
  args: { ...appArg, ...jsonArg },
  async run({ args }): Promise<number> {
    const { app } = appFrom(args);
    const s = await connect().call('apps.status', { params: { app } });
    emit(io, args.json, s, () => statusText(s));
    return 0;
  },
});

const PAST = { start: 'started', stop: 'stopped', restart: 'restarted' } as const;

function actionCommand(action: 'start' | 'stop' | 'restart', description: string) {
  return defineCommand({
    meta: { name: action, description },
    args: { ...appArg, ...jsonArg },
    async run({ args }): Promise<number> {
      const { app } = appFrom(args);
      if (!args.json) io.err(`${action === 'stop' ? 'Stopping' : action === 'start' ? 'Starting' : 'Restarting'} ${app}…\n`);
      const r = await connect().call('apps.action', { params: { app, action } });
      emit(io, args.json, r, () => `${clean(app)} ${PAST[action]}; scale ${scaleLine(r.scale)}\n${processTable(r.processes)}`);
      return 0;
    },
  });
}

const destroyCommand = defineCommand({
  meta: { name: 'destroy', description: 'Destroy the app and everything it owns (processes, site, releases, env, domains)' },
  args: {
    ...appArg,
    confirm: { type: 'string', description: 'must repeat the app name exactly', valueHint: 'app' },
    ...jsonArg,
  },
  async run({ args }): Promise<number> {
    const { app } = appFrom(args);
    if (args.confirm !== app) {
      throw usageError(
        args.confirm === undefined || args.confirm === ''
          ? `destroying ${app} needs --confirm=${app}`
          : `--confirm=${JSON.stringify(args.confirm)} does not match the app name ${JSON.stringify(app)}`,
        `Run \`hop3 app destroy --app ${app} --confirm=${app}\`; this cannot be undone.`,
      );
    }
    const r = await connect().call('apps.delete', { params: { app }, query: { confirm: app } });
    emit(io, args.json, r, () => `Destroyed ${clean(r.deleted)}.`);
    return 0;
  },
});

export const appCommand = defineCommand({
  meta: { name: 'app', description: 'Show, start, stop, restart or destroy one app' },
  subCommands: {
    status: statusCommand,
    start: actionCommand('start', 'Start the current release at its scale and health-check it'),
    stop: actionCommand('stop', 'Stop every process of the app (the site answers 502 meanwhile)'),
    restart: actionCommand('restart', 'Restart the current release in place (about a second without each process; redeploy for zero downtime)'),
    destroy: destroyCommand,
  },
});
