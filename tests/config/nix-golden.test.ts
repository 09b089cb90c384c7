/**
 * Golden files: one hop3.nix per template under tests/fixtures/nix/,
 * compared byte for byte. UPDATE_GOLDEN=1 rewrites them. When
 * nix-instantiate is installed, every golden must also parse as Nix.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { generateNix, NIX_TEMPLATES } from '../../shared-protocol/config/nix/index.ts';
import { NIX_INPUTS } from './nix-inputs.ts';

const FIXTURES = new URL('../fixtures/nix/', import.meta.url);
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

function nixInstantiate(): string | undefined {
  for (const bin of ['/usr/bin/nix-instantiate', '/nix/var/nix/profiles/default/bin/nix-instantiate']) {
    try {
      execFileSync(bin, ['--version'], { stdio: 'ignore' });
      return bin;
    } catch {
      // not installed here
    }
  }
  return undefined;
}
const NIX = nixInstantiate();

describe('generateNix golden files', () => {
  for (const template of NIX_TEMPLATES) {
    const file = new URL(`${template}.nix`, FIXTURES);
    it(`renders the ${template} template exactly as its golden file`, () => {
      const actual = generateNix(NIX_INPUTS[template]);
      if (UPDATE) writeFileSync(file, actual);
      assert.equal(actual, readFileSync(file, 'utf8'));
    });

    it(`renders a ${template} hop3.nix that Nix parses`, { skip: NIX === undefined && 'nix-instantiate not installed' }, () => {
      execFileSync(NIX ?? 'false', ['--parse', file.pathname], { stdio: ['ignore', 'ignore', 'pipe'] });
    });
  }

  it('is deterministic: rendering twice gives the same bytes', () => {
    for (const t of NIX_TEMPLATES) assert.equal(generateNix(NIX_INPUTS[t]), generateNix(NIX_INPUTS[t]));
  });
});
