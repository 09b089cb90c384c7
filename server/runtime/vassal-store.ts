/**
 * The emperor's vassal directory. Files appear whole (temp file, fsync,
 * rename, fsync of the directory) so the emperor never reads half a vassal;
 * temp names start with "." and end in ".tmp", which the emperor ignores.
 * Vassal files hold the app env (secrets), so they are 0600.
 */
import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { parseVassalFileName, type VassalId } from './names.ts';
import { readVassalMeta, type RenderedVassal, type VassalMeta } from './vassal.ts';

export interface StoredVassal {
  readonly fileName: string;
  readonly id: VassalId;
  /** null when the file is not a hop3 vassal (no meta line) */
  readonly meta: VassalMeta | null;
}

async function fsyncDir(dir: string): Promise<void> {
  const fd = await open(dir, 'r');
  try {
    await fd.sync();
  } finally {
    await fd.close();
  }
}

export class VassalStore {
  constructor(readonly dir: string) {}

  path(fileName: string): string {
    if (parseVassalFileName(fileName) === null) throw new Error(`not a vassal file name: ${fileName}`);
    return join(this.dir, fileName);
  }

  async write(vassal: RenderedVassal): Promise<void> {
    const target = this.path(vassal.fileName);
    const tmp = join(this.dir, `.${vassal.fileName}.${randomBytes(6).toString('hex')}.tmp`);
    const fd = await open(tmp, 'wx', 0o600);
    try {
      await fd.writeFile(vassal.text, 'utf8');
      await fd.sync();
    } finally {
      await fd.close();
    }
    try {
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    await fsyncDir(this.dir);
  }

  /** Removes a vassal; the emperor then stops its process. False when it was not there. */
  async remove(fileName: string): Promise<boolean> {
    const target = this.path(fileName);
    try {
      await rm(target);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
    await fsyncDir(this.dir);
    return true;
  }

  async read(fileName: string): Promise<string | null> {
    try {
      return await readFile(this.path(fileName), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  /**
   * Moves the mtime forward: the emperor reloads the vassal (about 1 s without
   * the process). The emperor compares whole seconds, so the new mtime is at
   * least one second past the old one, even for a file written this second.
   */
  async touch(fileName: string): Promise<void> {
    const path = this.path(fileName);
    const old = Math.floor((await stat(path)).mtimeMs / 1000);
    const next = Math.max(Math.floor(Date.now() / 1000), old + 1);
    await utimes(path, next, next);
  }

  /** Every vassal file whose name parses, sorted by name; foreign and temp files are skipped. */
  async list(): Promise<StoredVassal[]> {
    const names = (await readdir(this.dir)).filter((n) => parseVassalFileName(n) !== null).sort();
    const out: StoredVassal[] = [];
    for (const fileName of names) {
      const id = parseVassalFileName(fileName);
      const text = await this.read(fileName);
      if (id === null || text === null) continue;
      out.push({ fileName, id, meta: readVassalMeta(text) });
    }
    return out;
  }
}
