/** The real CLI (child process) against an in-process server with a private redis-server behind its redis addons. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SENTINEL, startAddonsServer, type AddonsServer } from '../server/addons-server.ts';
import { cliUser, type CliUser } from './harness.ts';

let s: AddonsServer;
let u: CliUser;
let env: Record<string, string>;
before(async () => {
  s = await startAddonsServer();
  s.createApp('shop');
  u = cliUser();
  env = { HOP3_API_URL: s.url, HOP3_API_TOKEN: s.token };
});
after(async () => {
  u.cleanup();
  await s.stop();
});

describe('hop3 addon', () => {
  it('creates, attaches, shows masked, reveals with --show-secrets, and destroys with --confirm', async () => {
    const c = await u.run(['addon', 'create', 'redis', 'cli-cache'], { env });
    assert.equal(c.code, 0, c.stderr);
    assert.equal((c.stdout + c.stderr).includes(SENTINEL), false);
    assert.equal((await u.run(['addon', 'attach', 'cli-cache', '--app', 'shop'], { env })).code, 0);
    const shown = await u.run(['addon', 'show', 'cli-cache', '--json'], { env });
    assert.equal(shown.stdout.includes(SENTINEL), false);
    assert.ok(shown.stdout.includes('****'));
    const revealed = await u.run(['addon', 'show', 'cli-cache', '--show-secrets'], { env });
    assert.ok(revealed.stdout.includes(SENTINEL));
    const listed = await u.run(['addons'], { env });
    assert.match(listed.stdout, /cli-cache\s+redis\s+shop/);
    assert.equal((await u.run(['addon', 'status', 'cli-cache'], { env })).code, 0);
    const attached = await u.run(['addon', 'destroy', 'cli-cache', '--confirm=cli-cache'], { env });
    assert.equal(attached.code, 5);
    assert.match(attached.stderr, /E_ADDON_ATTACHED/);
    const noConfirm = await u.run(['addon', 'destroy', 'cli-cache'], { env });
    assert.equal(noConfirm.code, 2);
    const forced = await u.run(['addon', 'destroy', 'cli-cache', '--confirm=cli-cache', '--force'], { env });
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((await u.run(['addon', 'show', 'cli-cache'], { env })).code, 4);
  });

  it('refuses a hostile name with a usage exit code and prints no secret', async () => {
    const r = await u.run(['addon', 'create', 'redis', "x';drop"], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /E_INVALID_ADDON_NAME/);
  });
});
