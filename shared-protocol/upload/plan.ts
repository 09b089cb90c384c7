/**
 * The upload planner: sees every tar header in order, enforces the per-entry
 * rules and the running totals, and says what to create. Pure (no I/O), so
 * each rule is tested with a table of bad headers.
 */
import { uploadError } from './errors.ts';
import type { UploadLimits } from './limits.ts';
import { foldKey, parseEntryName, showName } from './names.ts';

/** The fields of a tar header the planner looks at (node-tar's ReadEntry has them). */
export interface EntryHeader {
  readonly path: string;
  readonly type: string;
  readonly mode: number | undefined;
  readonly size: number;
}

export type Action =
  | { readonly kind: 'mkdir'; readonly path: string; readonly mode: number }
  | { readonly kind: 'chmod'; readonly path: string; readonly mode: number }
  | { readonly kind: 'file'; readonly path: string; readonly mode: number; readonly size: number };

interface Known {
  readonly name: string;
  readonly kind: 'file' | 'dir';
  explicit: boolean;
}

/** Files: no setuid/setgid (refused), no sticky, no group/other write; always owner read/write. */
export function fileMode(mode: number): number {
  return (mode & 0o755) | 0o600;
}

/** Directories: setgid/setuid/sticky dropped, no group/other write; always owner rwx. */
export function dirMode(mode: number): number {
  return (mode & 0o755) | 0o700;
}

const REFUSED_TYPES: Readonly<Record<string, 'E_UPLOAD_SYMLINK' | 'E_UPLOAD_HARDLINK' | 'E_UPLOAD_DEVICE' | 'E_UPLOAD_FIFO'>> = {
  SymbolicLink: 'E_UPLOAD_SYMLINK',
  Link: 'E_UPLOAD_HARDLINK',
  CharacterDevice: 'E_UPLOAD_DEVICE',
  BlockDevice: 'E_UPLOAD_DEVICE',
  FIFO: 'E_UPLOAD_FIFO',
};

export class UploadPlanner {
  entries = 0;
  files = 0;
  declaredBytes = 0;
  readonly #known = new Map<string, Known>();
  readonly limits: UploadLimits;

  constructor(limits: UploadLimits) {
    this.limits = limits;
  }

  /** Actions for one header, in order; throws the Hop3Error of the first rule it breaks. */
  admit(h: EntryHeader): Action[] {
    this.entries += 1;
    if (this.entries > this.limits.maxEntries) {
      throw uploadError('E_UPLOAD_TOO_MANY_ENTRIES', `the upload has more than ${this.limits.maxEntries} entries`, {
        limit: this.limits.maxEntries,
      });
    }
    const refused = REFUSED_TYPES[h.type];
    if (refused !== undefined) {
      throw uploadError(refused, `entry ${showName(h.path)} is a ${h.type}; only regular files and directories are accepted`);
    }
    const isDir = h.type === 'Directory';
    if (!isDir && h.type !== 'File' && h.type !== 'OldFile') {
      throw uploadError('E_UPLOAD_ENTRY_TYPE', `entry ${showName(h.path)} has unsupported type ${h.type}`);
    }
    const name = parseEntryName(h.path, this.limits);
    if (name === null) {
      if (!isDir) throw uploadError('E_UPLOAD_BAD_NAME', `a file entry is named ${showName(h.path)}`);
      return [];
    }
    const mode = h.mode ?? (isDir ? 0o755 : 0o644);
    if (!isDir && (mode & 0o6000) !== 0) {
      throw uploadError('E_UPLOAD_SETID_MODE', `file ${showName(name.path)} has mode ${mode.toString(8)} (setuid/setgid)`);
    }
    if (!isDir) {
      this.declaredBytes += h.size;
      if (this.declaredBytes > this.limits.maxUncompressedBytes) {
        throw uploadError(
          'E_UPLOAD_TOO_LARGE_UNCOMPRESSED',
          `the upload expands to more than ${this.limits.maxUncompressedBytes} bytes (at ${showName(name.path)}, declared ${h.size} bytes)`,
          { limit: this.limits.maxUncompressedBytes },
        );
      }
    }
    const actions: Action[] = [];
    for (let i = 1; i < name.parts.length; i++) {
      const parent = name.parts.slice(0, i).join('/');
      const known = this.#lookup(parent, name.path);
      if (known === undefined) {
        this.#known.set(foldKey(parent), { name: parent, kind: 'dir', explicit: false });
        actions.push({ kind: 'mkdir', path: parent, mode: 0o755 });
      } else if (known.kind === 'file') {
        throw uploadError('E_UPLOAD_PATH_CONFLICT', `entry ${showName(name.path)} needs ${showName(parent)} to be a directory, but it is a file`);
      }
    }
    const existing = this.#lookup(name.path, name.path);
    if (existing !== undefined) {
      if (isDir && existing.kind === 'dir' && !existing.explicit) {
        existing.explicit = true;
        return [...actions, { kind: 'chmod', path: name.path, mode: dirMode(mode) }];
      }
      if (existing.kind !== (isDir ? 'dir' : 'file')) {
        throw uploadError('E_UPLOAD_PATH_CONFLICT', `${showName(name.path)} appears both as a file and as a directory`);
      }
      throw uploadError('E_UPLOAD_DUPLICATE_ENTRY', `${showName(name.path)} appears twice in the upload`);
    }
    this.#known.set(foldKey(name.path), { name: name.path, kind: isDir ? 'dir' : 'file', explicit: true });
    if (isDir) {
      actions.push({ kind: 'mkdir', path: name.path, mode: dirMode(mode) });
    } else {
      this.files += 1;
      actions.push({ kind: 'file', path: name.path, mode: fileMode(mode), size: h.size });
    }
    return actions;
  }

  /** The known entry with this name; a different spelling of the same folded name is a collision. */
  #lookup(path: string, forEntry: string): Known | undefined {
    const known = this.#known.get(foldKey(path));
    if (known !== undefined && known.name !== path) {
      throw uploadError(
        'E_UPLOAD_CASE_COLLISION',
        `${showName(forEntry)} collides with ${showName(known.name)} under case folding`,
        { names: [known.name, path] },
      );
    }
    return known;
  }
}
