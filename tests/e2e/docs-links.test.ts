/**
 * The README and the two guides point only at files that exist, and at
 * headings that exist in them; the quick start is the README's command 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '../..');
const PAGES = ['README.md', 'docs/user-guide.md', 'docs/operator-guide.md'];

/** GitHub's heading anchor: lowercase, punctuation dropped, spaces to dashes. */
function anchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1] as string)));
}

for (const page of PAGES) {
  test(`every relative link in ${page} names an existing file and, with a #fragment, an existing heading`, () => {
    const text = readFileSync(join(REPO, page), 'utf8').replace(/```[\s\S]*?```/g, '');
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] as string).filter((l) => !/^[a-z]+:/.test(l));
    assert.ok(links.length > 0);
    for (const link of links) {
      const [path = '', fragment] = link.split('#');
      const target = path === '' ? join(REPO, page) : resolve(dirname(join(REPO, page)), path);
      assert.ok(existsSync(target), `${page}: ${link} does not exist`);
      if (fragment !== undefined && target.endsWith('.md')) assert.ok(anchorsOf(target).has(fragment), `${page}: no heading #${fragment} in ${path || page}`);
    }
  });
}

test('README command 1 is the quick start script, which deploys an example and can stop what it started', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  assert.match(readme, /bash deploy\/quickstart\.sh +# 1\./);
  const script = readFileSync(join(REPO, 'deploy', 'quickstart.sh'), 'utf8');
  assert.match(script, /hop3 deploy "examples\/\$EXAMPLE"/);
  assert.match(script, /--stop\) MODE=stop/);
  assert.doesNotMatch(script, /pkill|killall|systemctl|\/etc\/nginx\/(sites|conf\.d)/, 'the quick start stops only its own pids and leaves the system nginx alone');
});
