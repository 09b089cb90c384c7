/** The real BuildFs on node:fs/promises. */
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import type { BuildFs } from './types.ts';

export function createBuildFs(): BuildFs {
  return {
    exists: async (p) => (await stat(p).catch(() => null)) !== null,
    readFile: (p) => readFile(p),
    readdir: (p) => readdir(p),
    mkdir: async (p) => {
      await mkdir(p, { recursive: true, mode: 0o750 });
    },
    rename: (a, b) => rename(a, b),
    rm: (p) => rm(p, { recursive: true, force: true }),
    mtimeMs: async (p) => (await stat(p).catch(() => null))?.mtimeMs ?? null,
    touch: async (p) => {
      const now = new Date();
      await utimes(p, now, now).catch(async () => writeFile(p, ''));
    },
  };
}
