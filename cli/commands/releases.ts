/** hop3 releases, hop3 rollback [release]. */
import { defineCommand } from 'citty';
import { appArg, appFrom, connect, jsonArg, positiveInt } from '../common.ts';
import { followDeploy } from '../deploy/follow.ts';
import { EXIT } from '../exit-codes.ts';
import { emit, processIo as io } from '../output.ts';
import { releasesTable } from '../render-api.ts';
import { deployPhase, reportOutcome } from './deploy.ts';

export const releasesCommand = defineCommand({
  meta: { name: 'releases', description: 'List the app releases, newest first; * marks the current one' },
  args: { ...appArg, ...jsonArg },
  async run({ args }): Promise<number> {
    const { app } = appFrom(args);
    const r = await connect().call('releases.list', { params: { app } });
    emit(io, args.json, r, () => releasesTable(r.releases));
    return EXIT.OK;
  },
});

export const rollbackCommand = defineCommand({
  meta: { name: 'rollback', description: 'Bring back a kept release (default: the previous live one) without a rebuild' },
  args: {
    release: { type: 'positional', required: false, description: 'release number (see `hop3 releases`)', valueHint: 'number' },
    ...appArg,
    detach: { type: 'boolean', default: false, description: 'return once the rollback is accepted' },
    ...jsonArg,
  },
  async run({ args }): Promise<number> {
    const { app } = appFrom(args);
    const release = positiveInt(args.release, 'release');
    const client = connect();
    const { deploy } = await client.call('releases.rollback', { params: { app }, body: release === undefined ? {} : { release } });
    if (!args.json) io.err(`Rollback ${deploy.id}: bringing back release ${deploy.release} of ${app}\n`);
    if (args.detach) {
      emit(io, args.json, { app, deploy }, () => `Rollback ${deploy.id} accepted.`);
      return EXIT.OK;
    }
    const r = await deployPhase(() => followDeploy(client, app, deploy.id, { io, logTo: args.json ? 'err' : 'out' }));
    return reportOutcome(args.json, app, deploy, r);
  },
});
