/**
 * hop3 deploy [dir]: load the app config (app name, ignore rules), set
 * --env values, bundle the directory (cli/bundle), upload it with a progress
 * line, then follow the deploy's events to the end and print the URL.
 */
import { defineCommand } from 'citty';
import { resolve } from 'node:path';
import type { DeployRef } from '../../shared-protocol/api/deploys.ts';
import { loadApp, type LoadResult } from '../../shared-protocol/config/index.ts';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { resolveAppName } from '../app-resolve.ts';
import { createBundle } from '../bundle/bundle.ts';
import type { ApiClient } from '../client.ts';
import { connect, jsonArg, parseAssignments, repeated } from '../common.ts';
import { followDeploy, type FollowResult } from '../deploy/follow.ts';
import { bytes, progressLine } from '../deploy/progress.ts';
import { CliError, isCliError, withExit } from '../errors.ts';
import { EXIT, exitForDeployError } from '../exit-codes.ts';
import { clean, emit, processIo as io } from '../output.ts';
import { printDiagnostics } from '../render.ts';
import { uploadRaw } from '../upload.ts';
import { duration } from '../render-api.ts';

/** The app config, or an invalid-config error (exit 7) listing its errors; no config at all is left to the server. */
export function loadForDeploy(dir: string): LoadResult {
  const r = loadApp(dir);
  if (r.plan === null && !r.diagnostics.every((d) => d.code === 'E_CONFIG_NO_FILE')) {
    printDiagnostics(r.diagnostics, io.err);
    throw new CliError('E_CONFIG_INVALID', `the app config in ${dir} is invalid; nothing was uploaded`, {
      exit: EXIT.INVALID_CONFIG,
      hint: `Fix the errors above (\`hop3 config validate ${dir}\`), then deploy again.`,
    });
  }
  return r;
}

/** Set env vars before the upload, creating the app if it does not exist yet (the env route needs it). */
async function applyEnv(client: ApiClient, app: string, set: Record<string, string>, json: boolean): Promise<void> {
  if (Object.keys(set).length === 0) return;
  try {
    await client.call('apps.get', { params: { app } });
  } catch (e) {
    if (!isCliError(e) || e.code !== 'E_APP_NOT_FOUND') throw e;
    await client.call('apps.create', { body: { name: app } });
    if (!json) io.err(`Created app ${app}.\n`);
  }
  await client.call('env.update', { params: { app }, body: { set } });
  if (!json) io.err(`Set ${Object.keys(set).join(', ')}.\n`);
}

async function upload(client: ApiClient, app: string, dir: string, ignore: readonly string[], json: boolean): Promise<DeployRef> {
  const started = Date.now();
  const { plan, stream } = await createBundle(dir, { ignore });
  const label = `Uploading ${app} (${plan.files} files, ${bytes(plan.bytes)})`;
  const line = progressLine(io, label);
  let sent = 0;
  const accepted = await uploadRaw(client, 'deploys.create', { params: { app } }, stream, {
    onProgress: (n) => {
      sent = n;
      line.update(n);
    },
  }).catch((e: unknown) => {
    line.abort();
    throw e;
  });
  line.done(sent, Date.now() - started);
  if (!json) io.err(`Deploy ${accepted.deploy.id}: release ${accepted.deploy.release} of ${app}\n`);
  return accepted.deploy;
}

/** Print the outcome of a followed deploy or rollback; the exit code (0, or 6 when it failed). */
export function reportOutcome(json: boolean, app: string, deploy: DeployRef, r: FollowResult): number {
  const { end } = r;
  const doc = { app, deploy: { ...deploy, status: end.status }, end, steps: r.steps, secrets: r.secrets };
  const verb = end.kind === 'rollback' ? 'Rolled back' : 'Deployed';
  if (end.status === 'live') {
    emit(io, json, doc, () => `${verb} ${clean(app)} release ${end.release} in ${duration(end.duration_ms)}.${end.url === undefined ? '' : `\nURL: ${clean(end.url)}`}`);
    return EXIT.OK;
  }
  if (json) emit(io, true, { ...doc, exit: EXIT.DEPLOY_FAILED }, () => '');
  const err = end.error;
  io.err(`hop3: ${end.kind} of ${app} (release ${end.release}) failed${err === undefined ? '' : `: ${err.code}: ${clean(err.message)}`}\n`);
  if (err?.hint !== undefined) io.err(`  hint: ${clean(err.hint)}\n`);
  io.err('  The previous release (if any) keeps serving.\n');
  return EXIT.DEPLOY_FAILED;
}

/** Run a deploy phase; its CliErrors leave with the deploy exit code. */
export async function deployPhase<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isCliError(e)) throw withExit(e, exitForDeployError(e.code, e.exit));
    // The bundle walk refuses with a Hop3Error (E_BUNDLE_*, E_UPLOAD_*): the same code, as a deploy failure.
    if (isHop3Error(e)) throw new CliError(e.code, e.message, { hint: e.hint, exit: exitForDeployError(e.code, EXIT.UNEXPECTED) });
    throw e;
  }
}

export const deployCommand = defineCommand({
  meta: { name: 'deploy', description: 'Upload the app directory, build and start it on the server, follow the log, print the URL' },
  args: {
    dir: { type: 'positional', required: false, default: '.', description: 'app directory', valueHint: 'dir' },
    app: { type: 'string', alias: 'a', description: 'app name (default: $HOP3_APP, then [metadata].id of the app config)', valueHint: 'name' },
    env: { type: 'string', alias: 'e', description: 'set an env var before deploying (repeatable)', valueHint: 'KEY=VALUE' },
    detach: { type: 'boolean', default: false, description: 'return once the upload is accepted, without following the deploy' },
    ...jsonArg,
  },
  async run({ args, rawArgs }): Promise<number> {
    const dir = resolve(String(args.dir));
    const env = parseAssignments(repeated(rawArgs, ['env', 'e']), '--env');
    const loaded = loadForDeploy(dir);
    const id = loaded.plan?.config.metadata.id ?? null;
    const { app } = resolveAppName({ flag: args.app, env: process.env, dir, configId: () => ({ id, file: loaded.files.config, problem: null }) });
    const client = connect();
    await applyEnv(client, app, env, args.json);
    const deploy = await deployPhase(() => upload(client, app, dir, loaded.plan?.ignore.patterns ?? [], args.json));
    if (args.detach) {
      emit(io, args.json, { app, deploy }, () => `Deploy ${deploy.id} accepted; follow it with \`hop3 app status --app ${app}\`.`);
      return EXIT.OK;
    }
    const r = await deployPhase(() => followDeploy(client, app, deploy.id, { io, logTo: args.json ? 'err' : 'out' }));
    return reportOutcome(args.json, app, deploy, r);
  },
});
