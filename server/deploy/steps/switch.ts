/**
 * Step 7: point the app's nginx site (through rootd) at the new release —
 * every web copy's port, or its static root — then stop the previous
 * release's processes. rootd tests the candidate vhost and restores the old
 * one on any failure, so a failed switch leaves the old release serving.
 */
import type { RootdClient } from '../../rootd-client.ts';
import type { Logger } from '../../log.ts';
import type { ProcessManager } from '../../runtime/processes.ts';
import type { StartedProcess } from '../../runtime/ready.ts';
import { applySite, type SiteSpec } from '../site.ts';

export function webPorts(started: readonly StartedProcess[]): number[] {
  return started.flatMap((p) => (p.port === null ? [] : [p.port])).sort((a, b) => a - b);
}

/** True when the app serves HTTP at all (web processes or a static root). */
export function servesHttp(site: SiteSpec): boolean {
  return site.ports.length > 0 || site.staticRoot !== null;
}

export async function switchTraffic(rootd: Pick<RootdClient, 'call'>, app: string, site: SiteSpec): Promise<string> {
  if (!servesHttp(site)) return 'no web process and no static root: no site';
  await applySite(rootd, app, site);
  const what = site.staticRoot === null ? `ports ${site.ports.join(', ')}` : `static root ${site.staticRoot}${site.ports.length > 0 ? ` + ports ${site.ports.join(', ')}` : ''}`;
  return `${site.hostnames.join(', ')} → ${what}`;
}

/** Stops the previous release; a failure here is logged, not a failed deploy (the new release already serves). */
export async function stopPrevious(manager: ProcessManager, log: Logger, app: string, rid: string | undefined, say: (line: string) => void): Promise<void> {
  if (rid === undefined) return;
  try {
    const ids = await manager.stopRelease(app, rid);
    if (ids.length > 0) say(`stopped ${ids.length} process(es) of ${rid}`);
  } catch (e) {
    log.warn('stopping the previous release failed', { app, release: rid, err: e });
    say(`warning: stopping ${rid} failed: ${(e as Error).message}`);
  }
}
