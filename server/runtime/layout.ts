/** Where the runtime keeps per-process files, derived from validated ids only. */
import { join } from 'node:path';
import { Hop3Error } from '../../shared-protocol/errors.ts';
import { APP_RE, vassalStem, type VassalId } from './names.ts';

export interface RuntimeLayout {
  /** pidfiles of vassal masters: <runDir>/<stem>.pid */
  readonly runDir: string;
  /** app logs: <logDir>/<app>/<stem>.log (rotated to .log.1) */
  readonly logDir: string;
}

/** <logDir>/<app>: every log of the app, for `hop3 logs` and for removal on destroy. */
export function appLogDir(layout: RuntimeLayout, app: string): string {
  if (!APP_RE.test(app)) throw new Hop3Error('E_RUNTIME_INVALID_NAME', `invalid app name: ${JSON.stringify(app)}`);
  return join(layout.logDir, app);
}

export function logFileOf(layout: RuntimeLayout, id: VassalId): string {
  return join(layout.logDir, id.app, `${vassalStem(id)}.log`);
}

export function pidFileOf(layout: RuntimeLayout, id: VassalId): string {
  return join(layout.runDir, `${vassalStem(id)}.pid`);
}
