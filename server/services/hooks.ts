/**
 * Where the deploy/runtime work plugs into app lifecycle events. The
 * foundation has nothing running to stop or re-route, so the default hooks do
 * nothing; the pipeline passes its own to createApp.
 */
import type { AppRow } from './apps.ts';

export interface AppHooks {
  /** Before an app's rows are deleted: stop its vassals, remove its nginx site and release dirs. A throw aborts the delete. */
  beforeDelete(app: AppRow): Promise<void>;
  /**
   * After an app's host names changed (the rows are already written): re-apply its nginx site if it
   * is serving. A throw fails the request with its error; the new names stay recorded, so the next
   * apply (a retry of the request or the next deploy) converges.
   */
  hostnamesChanged(app: AppRow, hostnames: readonly string[]): Promise<void>;
}

export const NO_HOOKS: AppHooks = {
  beforeDelete: async () => {},
  hostnamesChanged: async () => {},
};
