import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertTrustedChain } from '../../rootd/config.ts';

test('a root-owned directory chain under the sticky /tmp is trusted', () => {
  const d = mkdtempSync(join(tmpdir(), 'hop3-chain-'));
  try {
    mkdirSync(join(d, 'state'), { mode: 0o750 });
    assert.doesNotThrow(() => assertTrustedChain(join(d, 'state'), 0, 'state'));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('a group-writable ancestor makes rootd refuse its config', () => {
  const d = mkdtempSync(join(tmpdir(), 'hop3-chain-'));
  try {
    mkdirSync(join(d, 'a', 'b'), { recursive: true, mode: 0o750 });
    chmodSync(join(d, 'a'), 0o770);
    assert.throws(() => assertTrustedChain(join(d, 'a', 'b'), 0, 'state'), (e: { code?: string; message?: string }) => e.code === 'E_CONFIG_INVALID' && /not group\/other-writable/.test(e.message ?? ''));
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('an ancestor owned by another user (e.g. the hop3 user) makes rootd refuse its config', () => {
  const d = mkdtempSync(join(tmpdir(), 'hop3-chain-'));
  try {
    mkdirSync(join(d, 'home', 'apps'), { recursive: true, mode: 0o755 });
    chownSync(join(d, 'home'), 65534, 65534);
    assert.throws(() => assertTrustedChain(join(d, 'home', 'apps'), 0, 'app_root'), /owned by uid 0/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
