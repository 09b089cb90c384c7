import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:net';
import { describe, it } from 'node:test';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { canBind, PortAllocator } from '../../server/runtime/ports.ts';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

describe('port allocation', () => {
  it('hands out ports inside the configured range, round-robin, never the same twice in a row', async () => {
    const ports = new PortAllocator({ range: { min: 24100, max: 24104 }, start: 24103, isFree: async () => true });
    const got: number[] = [];
    for (let i = 0; i < 5; i++) {
      const p = await ports.allocate(new Set());
      ports.settle(p);
      got.push(p);
    }
    assert.deepEqual(got, [24103, 24104, 24100, 24101, 24102]);
  });

  it('skips ports held by existing vassals and ports handed out but not yet settled', async () => {
    const ports = new PortAllocator({ range: { min: 24110, max: 24114 }, start: 24110, isFree: async () => true });
    const a = await ports.allocate(new Set([24110]));
    assert.equal(a, 24111);
    const b = await ports.allocate(new Set([24110]));
    assert.equal(b, 24112, 'a pending port is not handed out again');
  });

  it('never returns a port that something is listening on (checked by binding)', async () => {
    const server = await listen(24120);
    try {
      assert.equal(await canBind(24120), false);
      const ports = new PortAllocator({ range: { min: 24120, max: 24121 }, start: 24120 });
      assert.equal(await ports.allocate(new Set()), 24121);
    } finally {
      server.close();
    }
  });

  it('fails with E_PORT_EXHAUSTED when every port is taken', async () => {
    const ports = new PortAllocator({ range: { min: 24130, max: 24131 }, isFree: async () => true });
    await assert.rejects(ports.allocate(new Set([24130, 24131])), (e) => isHop3Error(e) && e.code === 'E_PORT_EXHAUSTED');
  });

  it('defaults to 20000-29999, below the kernel ephemeral range, and refuses nonsense ranges', () => {
    assert.deepEqual(new PortAllocator().range, { min: 20000, max: 29999 });
    assert.throws(() => new PortAllocator({ range: { min: 30000, max: 20000 } }));
    assert.throws(() => new PortAllocator({ range: { min: 80, max: 90 } }));
  });
});
