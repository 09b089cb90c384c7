/**
 * Loopback ports for app processes. Each new process gets a port that no
 * vassal holds and that binds right now, taken round-robin from the range
 * (default 20000-29999, below the kernel's ephemeral range), so a new
 * release never reuses the port its predecessor still serves on.
 */
import { createServer } from 'node:net';
import { Hop3Error } from '../../shared-protocol/errors.ts';

export interface PortRange {
  readonly min: number;
  readonly max: number;
}

export const DEFAULT_PORT_RANGE: PortRange = { min: 20000, max: 29999 };

/** True when `host:port` can be bound now (then released at once). */
export function canBind(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export interface PortAllocatorOptions {
  readonly range?: PortRange;
  readonly isFree?: (port: number) => Promise<boolean>;
  /** first candidate (default: random in range) */
  readonly start?: number;
}

export class PortAllocator {
  readonly range: PortRange;
  private cursor: number;
  private readonly pending = new Set<number>();
  private readonly isFree: (port: number) => Promise<boolean>;

  constructor(opts: PortAllocatorOptions = {}) {
    const range = opts.range ?? DEFAULT_PORT_RANGE;
    if (!Number.isInteger(range.min) || !Number.isInteger(range.max) || range.min < 1024 || range.max > 65535 || range.min > range.max) {
      throw new Error(`invalid port range ${range.min}-${range.max}`);
    }
    this.range = range;
    this.isFree = opts.isFree ?? ((p) => canBind(p));
    const size = range.max - range.min + 1;
    this.cursor = opts.start ?? range.min + Math.floor(Math.random() * size);
  }

  /**
   * A fresh port: not in `held` (ports of existing vassals), not handed out
   * and still pending, and bindable. Pending until `settle(port)`.
   */
  async allocate(held: ReadonlySet<number>): Promise<number> {
    const size = this.range.max - this.range.min + 1;
    for (let tried = 0; tried < size; tried++) {
      const port = this.range.min + ((this.cursor - this.range.min + tried) % size);
      if (held.has(port) || this.pending.has(port)) continue;
      this.pending.add(port);
      if (await this.isFree(port)) {
        this.cursor = port + 1 > this.range.max ? this.range.min : port + 1;
        return port;
      }
      this.pending.delete(port);
    }
    throw new Hop3Error('E_PORT_EXHAUSTED', `no free port in ${this.range.min}-${this.range.max}`);
  }

  /** The port is now recorded in a vassal file (or given up): stop tracking it. */
  settle(port: number): void {
    this.pending.delete(port);
  }
}
