/** Shared by the test harnesses and benches that start their own servers. */
import { createServer } from 'node:net';

export interface PortRange {
  readonly min: number;
  readonly max: number;
  /** The address the probe binds (0.0.0.0 also catches wildcard listeners). Default 127.0.0.1. */
  readonly host?: string;
}

/**
 * A free TCP port below the ephemeral range (32768), probed by binding it.
 * Default 20000-29999; a harness that runs beside others may take its own range.
 */
export async function freePort(range: PortRange = { min: 20000, max: 29999 }): Promise<number> {
  const span = range.max - range.min + 1;
  for (let i = 0; i < 50; i++) {
    const port = range.min + Math.floor(Math.random() * span);
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen({ port, host: range.host ?? '127.0.0.1', exclusive: true }, () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error(`no free port in ${range.min}-${range.max}`);
}
