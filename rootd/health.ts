/** What daemon.health reports: uptime, last reconcile, a ring of recent errors. */
export interface ReconcileSummary {
  at: string;
  duration_ms: number;
  changes: string[];
  errors: string[];
}
export interface RecentError {
  at: string;
  op: string;
  code: string;
  message: string;
}

export class HealthTracker {
  readonly startedAt: number;
  lastReconcile: ReconcileSummary | null = null;
  private readonly errors: RecentError[] = [];

  constructor(private readonly clock: () => Date = () => new Date()) {
    this.startedAt = clock().getTime();
  }

  recordError(op: string, code: string, message: string): void {
    this.errors.push({ at: this.clock().toISOString(), op, code, message: message.slice(0, 300) });
    if (this.errors.length > 20) this.errors.shift();
  }

  get recentErrors(): RecentError[] {
    return [...this.errors];
  }

  uptimeSeconds(): number {
    return (this.clock().getTime() - this.startedAt) / 1000;
  }
}
