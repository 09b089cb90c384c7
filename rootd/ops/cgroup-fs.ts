/**
 * The narrow filesystem and process interfaces the cgroup family uses, and
 * their real implementations on node:fs / process.kill. Unit tests pass a
 * fake (tests/rootd/fake-cgroupfs.ts emulates the kernel over a temp tree).
 *
 * Writes never create files (cgroupfs control files exist or the controller
 * is off) and are one write(2) each, as the kernel parses each write whole.
 */
import { constants, promises as fsp } from 'node:fs';
import { Hop3Error } from '../../shared-protocol/errors.ts';

export interface CgroupDirent {
  readonly name: string;
  readonly isDirectory: boolean;
}

export interface CgroupFs {
  readFile(path: string): Promise<string>;
  /** Write `data` in one write(2) to an existing file (O_WRONLY|O_TRUNC|O_NOFOLLOW, never O_CREAT). */
  writeFile(path: string, data: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  /** Entries of a directory; a symlink is reported as not a directory. */
  readdir(path: string): Promise<CgroupDirent[]>;
  exists(path: string): Promise<boolean>;
}

export interface ProcessOps {
  /** The text of /proc/<pid>/status, or null when there is no such process. */
  readStatus(pid: number): Promise<string | null>;
  /** SIGKILL the process; false when it no longer exists. */
  kill(pid: number): Promise<boolean>;
}

export const realCgroupFs: CgroupFs = {
  readFile: (path) => fsp.readFile(path, 'utf8'),
  async writeFile(path, data) {
    const fh = await fsp.open(path, constants.O_WRONLY | constants.O_TRUNC | constants.O_NOFOLLOW);
    try {
      const buf = Buffer.from(data, 'utf8');
      const { bytesWritten } = await fh.write(buf, 0, buf.length);
      if (bytesWritten !== buf.length) {
        throw Object.assign(new Error(`short write to ${path} (${bytesWritten}/${buf.length})`), { code: 'EIO' });
      }
    } finally {
      await fh.close();
    }
  },
  mkdir: (path) => fsp.mkdir(path, { mode: 0o755 }),
  rmdir: (path) => fsp.rmdir(path),
  async readdir(path) {
    const entries = await fsp.readdir(path, { withFileTypes: true });
    return entries.map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
  },
  async exists(path) {
    try {
      await fsp.lstat(path);
      return true;
    } catch (e) {
      if (errnoOf(e) === 'ENOENT') return false;
      throw e;
    }
  },
};

export const realProcessOps: ProcessOps = {
  async readStatus(pid) {
    try {
      return await fsp.readFile(`/proc/${pid}/status`, 'utf8');
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ESRCH') return null;
      throw e;
    }
  },
  async kill(pid) {
    try {
      process.kill(pid, 'SIGKILL');
      return true;
    } catch (e) {
      if (errnoOf(e) === 'ESRCH') return false;
      throw e;
    }
  },
};

export function errnoOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A kernel refusal of a control-file write as a typed error (the errno says why). */
export function writeFailed(path: string, data: string, e: unknown): Hop3Error {
  const errno = errnoOf(e) ?? 'EIO';
  return new Hop3Error('E_CGROUP_WRITE_FAILED', `writing ${JSON.stringify(data)} to ${path} failed: ${errno}`, {
    hint:
      errno === 'ENOENT'
        ? path.endsWith('/memory.swap.max')
          ? 'memory.swap.max is missing: this kernel has no swap accounting (boot with swapaccount=1 / CONFIG_MEMCG_SWAP); without it a memory cap could spill into swap, so rootd refuses.'
          : 'The control file does not exist: the controller is not enabled in the parent\'s cgroup.subtree_control.'
        : errno === 'EINVAL'
          ? 'This kernel rejected the value; check its bounds for this controller.'
          : errno === 'EBUSY'
            ? 'The cgroup is busy (e.g. it has processes and controllers enabled for its children).'
            : 'Check the rootd log and the kernel log.',
    details: { errno },
    cause: e,
  });
}

/** Write through `fs`, turning any failure into E_CGROUP_WRITE_FAILED. */
export async function writeControl(fs: CgroupFs, path: string, data: string): Promise<void> {
  try {
    await fs.writeFile(path, data);
  } catch (e) {
    throw writeFailed(path, data, e);
  }
}
