/** Argument helpers and app resolution: K=V lists, repeated flags, counts, scale, run's command words. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configIdIn, resolveAppName } from '../../cli/app-resolve.ts';
import { settings } from '../../cli/commands/config-env.ts';
import { parseScale } from '../../cli/commands/ps.ts';
import { commandWords, runExitCode } from '../../cli/commands/run.ts';
import { parseAssignments, positiveInt, repeated } from '../../cli/common.ts';
import { isCliError } from '../../cli/errors.ts';
import { tempDir } from './harness.ts';

const usage = (e: unknown): boolean => isCliError(e) && e.exit === 2;

test('repeated flags are all kept, in order, in every spelling, and nothing after "--" counts', () => {
  assert.deepEqual(repeated(['--env', 'A=1', '-e', 'B=2', '--env=C=3=x', 'dir', '--', '--env', 'D=4'], ['env', 'e']), ['A=1', 'B=2', 'C=3=x']);
  assert.throws(() => repeated(['--env'], ['env']), usage);
});

test('KEY=VALUE keeps everything after the first "=" and refuses a missing key or "="', () => {
  assert.deepEqual(parseAssignments(['A=1', 'URL=postgres://u:p@h/db?x=1', 'EMPTY='], 'x'), { A: '1', URL: 'postgres://u:p@h/db?x=1', EMPTY: '' });
  assert.throws(() => parseAssignments(['NOEQ'], 'x'), usage);
  assert.throws(() => parseAssignments(['=v'], 'x'), usage);
});

test('config set sends plain values unless --secret or --no-secret forces the flag', () => {
  assert.deepEqual(settings(['A=1'], undefined), { A: '1' });
  assert.deepEqual(settings(['A=1'], true), { A: { value: '1', secret: true } });
  assert.deepEqual(settings(['A=1'], false), { A: { value: '1', secret: false } });
});

test('counts are positive integers within their limit, else a usage error naming the flag', () => {
  assert.equal(positiveInt(undefined, '-n'), undefined);
  assert.equal(positiveInt('25', '-n'), 25);
  for (const bad of ['0', '-1', '1.5', 'ten', '10001']) assert.throws(() => positiveInt(bad, '--lines', 10_000), (e: unknown) => usage(e) && /--lines/.test((e as Error).message));
});

test('ps scale takes TYPE=COUNT with counts from 0 to 32', () => {
  assert.deepEqual(parseScale(['web=2', 'worker=0']), { web: 2, worker: 0 });
  for (const bad of [[], ['web'], ['web=33'], ['web=-1'], ['web=two']]) assert.throws(() => parseScale(bad), usage);
});

test('hop3 run takes the words after "--" as they are, or the positionals without "--"', () => {
  assert.deepEqual(commandWords(['--app', 'x', '--', 'npm', 'run', '--silent', 'migrate'], ['npm']), ['npm', 'run', '--silent', 'migrate']);
  assert.deepEqual(commandWords(['ls'], ['ls']), ['ls']);
  assert.throws(() => commandWords(['--'], []), usage);
  assert.equal(runExitCode({ exit_code: 3, signal: null, timed_out: false, duration_ms: 1 }), 3);
  assert.equal(runExitCode({ exit_code: null, signal: 'SIGKILL', timed_out: true, duration_ms: 1 }), 1);
});

const noConfig = () => ({ id: null, file: null, problem: null });

test('the app comes from --app first, then HOP3_APP, then [metadata].id', () => {
  const cfg = () => ({ id: 'from-toml', file: 'hop3.toml', problem: null });
  assert.deepEqual(resolveAppName({ flag: 'from-flag', env: { HOP3_APP: 'from-env' }, dir: '/x', configId: cfg }), { app: 'from-flag', source: 'flag' });
  assert.deepEqual(resolveAppName({ flag: undefined, env: { HOP3_APP: 'from-env' }, dir: '/x', configId: cfg }), { app: 'from-env', source: 'env' });
  assert.deepEqual(resolveAppName({ flag: '', env: { HOP3_APP: '' }, dir: '/x', configId: cfg }), { app: 'from-toml', source: 'config' });
});

test('no app anywhere, an invalid config, or a config without an id is a usage error that says which', () => {
  assert.throws(() => resolveAppName({ flag: undefined, env: {}, dir: '/x', configId: noConfig }), (e: unknown) => usage(e) && /no hop3\.toml in \/x/.test((e as Error).message));
  assert.throws(
    () => resolveAppName({ flag: undefined, env: {}, dir: '/x', configId: () => ({ id: null, file: 'hop3.toml', problem: 'E_X: bad' }) }),
    (e: unknown) => usage(e) && /is invalid \(E_X: bad\)/.test((e as Error).message),
  );
  assert.throws(
    () => resolveAppName({ flag: undefined, env: {}, dir: '/x', configId: () => ({ id: null, file: 'hop3.toml', problem: null }) }),
    (e: unknown) => usage(e) && /has no \[metadata\]\.id/.test((e as Error).message),
  );
});

test('an invalid app name is refused before any request, naming where it came from', () => {
  assert.throws(() => resolveAppName({ flag: 'Bad_Name', env: {}, dir: '/x', configId: noConfig }), (e: unknown) => usage(e) && /from --app/.test((e as Error).message));
  assert.throws(() => resolveAppName({ flag: undefined, env: { HOP3_APP: 'a b' }, dir: '/x', configId: noConfig }), (e: unknown) => usage(e) && /HOP3_APP/.test((e as Error).message));
});

test('[metadata].id is read from the hop3.toml in a directory', () => {
  const t = tempDir();
  try {
    writeFileSync(join(t.dir, 'hop3.toml'), '[metadata]\nid = "shop"\n\n[run]\nstart = "node server.js"\n');
    assert.deepEqual(configIdIn(t.dir), { id: 'shop', file: 'hop3.toml', problem: null });
    const empty = join(t.dir, 'empty');
    mkdirSync(empty);
    assert.deepEqual(configIdIn(empty), { id: null, file: null, problem: null });
  } finally {
    t.cleanup();
  }
});
