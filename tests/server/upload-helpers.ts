/** Shared helpers for the upload tests: a sandbox with a sentinel tree, tree listings, refusal checks. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { isHop3Error } from '../../shared-protocol/errors.ts';
import { extractUpload, type ExtractOptions } from '../../server/deploy/upload.ts';

export interface Sandbox {
  readonly root: string;
  readonly releases: string;
  readonly sentinel: string;
  release(name?: string): string;
  cleanup(): Promise<void>;
}

/** root/sentinel holds a file and a directory; root/releases/ receives releases. */
export async function sandbox(): Promise<Sandbox> {
  const root = await mkdtemp(join(tmpdir(), 'hop3-upload-'));
  const releases = join(root, 'apps', 'demo', 'releases');
  const sentinel = join(root, 'sentinel');
  await mkdir(releases, { recursive: true });
  await mkdir(join(sentinel, 'dir'), { recursive: true });
  await writeFile(join(sentinel, 'keep.txt'), 'sentinel\n');
  let n = 0;
  return {
    root,
    releases,
    sentinel,
    release: (name) => join(releases, name ?? `r${++n}`),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** Every path under `dir` with its type, mode and size: equal listings mean nothing was touched. */
export async function listing(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(dir, rel))).sort()) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const st = await lstat(join(dir, path));
      const kind = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : st.isFile() ? 'f' : '?';
      out.push(`${kind} ${(st.mode & 0o7777).toString(8)} ${st.isFile() ? st.size : 0} ${path}`);
      if (st.isDirectory()) await walk(path);
    }
  };
  await walk('');
  return out;
}

/** Extract and expect a refusal with `code`; the release dir must be gone afterwards. */
export async function expectRefusal(source: Readable, releaseDir: string, code: string, options: ExtractOptions = {}): Promise<void> {
  await assert.rejects(extractUpload(source, releaseDir, options), (e: unknown) => {
    assert.ok(isHop3Error(e), `expected a Hop3Error, got ${String(e)}`);
    assert.equal(e.code, code, `${e.code}: ${e.message}`);
    assert.ok(e.hint !== undefined && e.hint.length > 0, 'a refusal carries a hint');
    return true;
  });
  assert.equal(existsSync(releaseDir), false, 'the release directory is removed');
}
