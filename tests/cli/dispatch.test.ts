/** Argument parsing: command resolution over the real command tree, flags, "--", help, did-you-mean. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveCommand } from '../../cli/dispatch.ts';
import { isCliError } from '../../cli/errors.ts';
import { rootCommand } from '../../cli/tree.ts';
import { parseArgs } from 'citty';
import { argsOf } from '../../cli/dispatch.ts';

const RESOLVES: Array<[string[], string[], string[]]> = [
  [['apps'], ['apps'], []],
  [['apps', '--json'], ['apps'], ['--json']],
  [['--json', 'apps'], ['apps'], ['--json']],
  [['app', 'status', '--app', 'web'], ['app', 'status'], ['--app', 'web']],
  [['--app', 'web', 'logs', '-n', '5'], ['logs'], ['--app', 'web', '-n', '5']],
  [['-a', 'web', 'app', 'restart'], ['app', 'restart'], ['-a', 'web']],
  [['app', '--app=web', 'stop'], ['app', 'stop'], ['--app=web']],
  [['logs', '-fn', '3'], ['logs'], ['-fn', '3']],
  [['ps'], ['ps'], []],
  [['ps', 'scale', 'web=2', 'worker=1'], ['ps', 'scale'], ['web=2', 'worker=1']],
  [['config', 'set', 'A=1', 'B=x y'], ['config', 'set'], ['A=1', 'B=x y']],
  [['config', 'show', '--show-secrets'], ['config', 'show'], ['--show-secrets']],
  [['deploy', 'some/dir', '--env', 'A=1', '-e', 'B=2'], ['deploy'], ['some/dir', '--env', 'A=1', '-e', 'B=2']],
  [['run', '--app', 'web', '--', 'ls', '--bogus', 'app'], ['run'], ['--app', 'web', '--', 'ls', '--bogus', 'app']],
  [['rollback', '3'], ['rollback'], ['3']],
  [['domains', 'add', 'status'], ['domains', 'add'], ['status']],
];
for (const [argv, path, args] of RESOLVES) {
  test(`"hop3 ${argv.join(' ')}" runs "${path.join(' ')}" with [${args.join(', ')}]`, () => {
    const r = resolveCommand(rootCommand, argv);
    assert.deepEqual(r.path, path);
    assert.deepEqual(r.args, args);
    assert.equal(r.help, false);
  });
}

const USAGE: Array<[string[], RegExp]> = [
  [['dploy'], /unknown command "dploy" for "hop3"\. Did you mean "deploy"\?/],
  [['app', 'stauts'], /unknown command "stauts" for "hop3 app"\. Did you mean "status" or "start"\?/],
  [['app', 'restrat'], /Did you mean "restart"\?/],
  [['domain', 'list'], /Did you mean "domains"\?/],
  [['domains', 'rm', 'x'], /unknown command "rm" for "hop3 domains"\.$/],
  [['ps', 'scael', 'web=1'], /unknown command "scael" for "hop3 ps"\. Did you mean "scale"\?/],
  [['config', 'unst', 'A'], /Did you mean "unset"\?/],
  [['releses'], /Did you mean "releases"\?/],
  [['apps', '--jsn'], /unknown flag "--jsn" for "hop3 apps"\. Did you mean "--json"\?/],
  [['config', 'show', '--show-secret'], /Did you mean "--show-secrets"\?/],
  [['logs', '--folow'], /Did you mean "--follow"\?/],
  [['logs', '-x'], /unknown flag "-x" for "hop3 logs"/],
  [['logs', '-fz'], /unknown flag "-z" for "hop3 logs"/],
  [['xyzzy'], /unknown command "xyzzy" for "hop3"\.$/],
  [['apps', 'extra'], /"hop3 apps" takes no argument, got "extra"/],
  [['app', 'status', 'web'], /"hop3 app status" takes no argument, got "web"/],
];
for (const [argv, re] of USAGE) {
  test(`"hop3 ${argv.join(' ')}" is a usage error (exit 2) saying ${re}`, () => {
    assert.throws(
      () => resolveCommand(rootCommand, argv),
      (e: unknown) => isCliError(e) && e.exit === 2 && e.code === 'E_USAGE' && re.test(e.message),
    );
  });
}

test('--help anywhere before "--" asks for the help of the command reached, without checking its flags', () => {
  const r = resolveCommand(rootCommand, ['app', 'destroy', '--help', '--bogus']);
  assert.equal(r.help, true);
  assert.deepEqual(r.path, ['app', 'destroy']);
  const after = resolveCommand(rootCommand, ['run', '--', 'ls', '--help']);
  assert.equal(after.help, false);
});

test('--json is noticed even when the command fails to resolve later, so errors can be JSON too', () => {
  assert.equal(resolveCommand(rootCommand, ['apps', '--json']).json, true);
  assert.equal(resolveCommand(rootCommand, ['apps']).json, false);
});

test('citty parses the flags a leaf receives: aliases, negated booleans and the positional list', () => {
  const logs = resolveCommand(rootCommand, ['logs', '-n', '7', '-f', '--app', 'web']);
  const parsed = parseArgs(logs.args as string[], argsOf(logs.cmd));
  assert.equal(parsed['lines'], '7');
  assert.equal(parsed['follow'], true);
  assert.equal(parsed['app'], 'web');
  const set = resolveCommand(rootCommand, ['config', 'set', '--no-secret', 'A=1', 'B=2']);
  const p2 = parseArgs(set.args as string[], argsOf(set.cmd));
  assert.equal(p2['secret'], false);
  assert.deepEqual(p2._, ['A=1', 'B=2']);
});
