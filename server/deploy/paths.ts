/**
 * Where an app's files live under APP_ROOT. Release trees are
 * <APP_ROOT>/<app>/src/<release-id>/ because rootd derives static roots (and
 * mount targets) from <APP_ROOT>/<app>/src/; the build cache is per app.
 */
import { join } from 'node:path';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { APP_RE } from '../runtime/names.ts';

export interface AppPaths {
  readonly appDir: string;
  readonly srcDir: string;
  readonly cacheDir: string;
}

export function appPaths(appRoot: string, app: string): AppPaths {
  if (!APP_RE.test(app)) throw new Hop3Error('E_INVALID_APP_NAME', `invalid app name ${JSON.stringify(app)}`);
  const appDir = join(appRoot, app);
  return { appDir, srcDir: join(appDir, 'src'), cacheDir: join(appDir, 'cache') };
}

/** The release id used for directories and vassal names: r<number>. */
export function releaseId(number: number): string {
  if (!Number.isSafeInteger(number) || number < 1) throw new Error(`invalid release number ${number}`);
  return `r${number}`;
}

/** r12 → 12; anything else → null. */
export function releaseNumberOf(id: string): number | null {
  const m = /^r([1-9][0-9]{0,9})$/.exec(id);
  return m === null ? null : Number(m[1]);
}

export function releaseDir(appRoot: string, app: string, number: number): string {
  return join(appPaths(appRoot, app).srcDir, releaseId(number));
}

/** The nginx static_root for a release: relative to <APP_ROOT>/<app>/src/. */
export function staticRootParam(number: number, root: string): string {
  const clean = root === '.' || root === '' ? '' : root.replace(/^\.\//, '').replace(/\/$/, '');
  return clean === '' ? releaseId(number) : `${releaseId(number)}/${clean}`;
}
