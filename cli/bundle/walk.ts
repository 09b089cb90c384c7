/**
 * The bundle walk: list what `hop3 deploy` uploads from an app directory.
 * Ignored paths are pruned (an ignored directory is never entered); what is
 * left must be regular files and directories, and must pass the same planner
 * the server runs, so a bundle we create is a bundle the server accepts.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { uploadFilter } from '../../shared-protocol/config/index.ts';
import { uploadError } from '../../shared-protocol/upload/errors.ts';
import { resolveUploadLimits, type UploadLimits } from '../../shared-protocol/upload/limits.ts';
import { UploadPlanner } from '../../shared-protocol/upload/plan.ts';

export interface BundleEntry {
  /** relative, "/"-separated, no trailing slash */
  readonly path: string;
  readonly kind: 'file' | 'dir';
  /** normalized: 0755 for directories and executable files, 0644 otherwise */
  readonly mode: number;
  readonly size: number;
}

export interface BundlePlan {
  readonly root: string;
  /** depth-first, children sorted by code unit: deterministic for a given tree */
  readonly entries: readonly BundleEntry[];
  readonly files: number;
  readonly bytes: number;
  /** paths pruned by the ignore rules (a pruned directory counts once) */
  readonly ignored: readonly string[];
}

export interface WalkOptions {
  /** patterns on top of DEFAULT_IGNORE: [build].ignore (+ a legacy .hop3ignore), i.e. AppPlan.ignore.patterns */
  readonly ignore?: readonly string[];
  /** the server's limits, when the CLI knows them; defaults otherwise */
  readonly limits?: Partial<UploadLimits>;
}

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export async function planBundle(root: string, options: WalkOptions = {}): Promise<BundlePlan> {
  const ignores = uploadFilter(options.ignore ?? []);
  const entries: BundleEntry[] = [];
  const ignored: string[] = [];
  const symlinks: string[] = [];
  const special: string[] = [];

  const walk = async (rel: string): Promise<void> => {
    let names: string[];
    try {
      names = (await readdir(rel === '' ? root : join(root, rel))).sort(byCodeUnit);
    } catch (e) {
      throw uploadError('E_BUNDLE_READ', `cannot read ${rel === '' ? root : rel}: ${(e as Error).message}`, undefined, e);
    }
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const st = await lstat(join(root, path)).catch((e: unknown) => {
        throw uploadError('E_BUNDLE_READ', `cannot read ${path}: ${(e as Error).message}`, undefined, e);
      });
      if (ignores(st.isDirectory() ? `${path}/` : path)) {
        ignored.push(path);
      } else if (st.isSymbolicLink()) {
        symlinks.push(path);
      } else if (st.isDirectory()) {
        entries.push({ path, kind: 'dir', mode: 0o755, size: 0 });
        await walk(path);
      } else if (st.isFile()) {
        entries.push({ path, kind: 'file', mode: (st.mode & 0o111) !== 0 ? 0o755 : 0o644, size: st.size });
      } else {
        special.push(path);
      }
    }
  };
  await walk('');

  if (symlinks.length > 0) {
    throw uploadError('E_BUNDLE_SYMLINK', `symbolic links cannot be uploaded: ${symlinks.slice(0, 10).join(', ')}`, { paths: symlinks });
  }
  if (special.length > 0) {
    throw uploadError('E_BUNDLE_SPECIAL_FILE', `devices, FIFOs and sockets cannot be uploaded: ${special.slice(0, 10).join(', ')}`, {
      paths: special,
    });
  }
  const planner = new UploadPlanner(resolveUploadLimits(options.limits));
  for (const e of entries) {
    planner.admit({ path: e.kind === 'dir' ? `${e.path}/` : e.path, type: e.kind === 'dir' ? 'Directory' : 'File', mode: e.mode, size: e.size });
  }
  if (planner.files === 0) throw uploadError('E_UPLOAD_EMPTY', `nothing to upload in ${root} once ignore rules apply`);
  return { root, entries, files: planner.files, bytes: planner.declaredBytes, ignored };
}
