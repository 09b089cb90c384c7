/**
 * Is cgroup v2 usable for limits at cgroup_root? Checked (read-only) before
 * ANY write or mkdir: a host that cannot enforce a cap gets a loud
 * E_CGROUP_V2_UNAVAILABLE and rootd leaves its hierarchy untouched.
 */
import { join } from 'node:path';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { SLICE_NAME } from '../path-guard.ts';
import { errnoOf, type CgroupFs } from './cgroup-fs.ts';
import { parseTokens, REQUIRED_CONTROLLERS, type RequiredController } from './cgroup-files.ts';

function unavailable(message: string, cgroupRoot: string): Hop3Error {
  return new Hop3Error('E_CGROUP_V2_UNAVAILABLE', message, {
    hint:
      `rootd enforces [limits] only through a cgroup v2 hierarchy with the memory, cpu and pids controllers at cgroup_root (${cgroupRoot}). ` +
      'Either run a pure cgroup v2 host (boot with systemd.unified_cgroup_hierarchy=1, or cgroup_no_v1=all) so these controllers appear in cgroup.controllers, ' +
      `or delegate a subtree whose cgroup.controllers lists them, point cgroup_root at it and call cgroup.ensure_slice to create ${SLICE_NAME}. ` +
      'Until then native apps with limits are refused (strict mode) rather than run uncapped.',
    details: { cgroup_root: cgroupRoot },
  });
}

async function readTokens(fs: CgroupFs, path: string): Promise<string[] | null> {
  try {
    return parseTokens(await fs.readFile(path));
  } catch (e) {
    if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') return null;
    throw e;
  }
}

function missingOf(have: readonly string[]): RequiredController[] {
  return REQUIRED_CONTROLLERS.filter((c) => !have.includes(c));
}

/** cgroup_root/cgroup.controllers must list memory, cpu and pids. */
export async function assertRootControllers(fs: CgroupFs, cgroupRoot: string): Promise<void> {
  const have = await readTokens(fs, join(cgroupRoot, 'cgroup.controllers'));
  if (have === null) {
    throw unavailable(`${cgroupRoot} is not a cgroup v2 directory (no cgroup.controllers)`, cgroupRoot);
  }
  const missing = missingOf(have);
  if (missing.length > 0) {
    throw unavailable(
      `the cgroup v2 hierarchy at ${cgroupRoot} lacks the ${missing.join(', ')} controller${missing.length > 1 ? 's' : ''} ` +
        `(cgroup.controllers: ${JSON.stringify(have.join(' '))})`,
      cgroupRoot,
    );
  }
}

/** hop3.slice must exist and enable memory, cpu and pids for its leaves. */
export async function assertSliceEnabled(fs: CgroupFs, cgroupRoot: string): Promise<void> {
  const have = await readTokens(fs, join(cgroupRoot, SLICE_NAME, 'cgroup.subtree_control'));
  if (have === null) {
    throw unavailable(`${SLICE_NAME} does not exist under ${cgroupRoot}; call cgroup.ensure_slice first`, cgroupRoot);
  }
  const missing = missingOf(have);
  if (missing.length > 0) {
    throw unavailable(
      `${SLICE_NAME}/cgroup.subtree_control does not enable ${missing.join(', ')} (it has ${JSON.stringify(have.join(' '))}); call cgroup.ensure_slice`,
      cgroupRoot,
    );
  }
}

/** Which required controllers a subtree_control file does not yet enable. */
export async function notEnabledIn(fs: CgroupFs, subtreeControl: string): Promise<RequiredController[]> {
  const have = await readTokens(fs, subtreeControl);
  return missingOf(have ?? []);
}
