/**
 * Test fixtures for the firewall family: a fake nft (records every call and
 * answers `nft -j list` from a settable listing), and a harness that drives
 * the real firewall handlers through the real dispatcher (compiled schemas),
 * with every other family's op answered by a stub.
 */
import type { ExecRequest, ExecResult, Exec } from '../../rootd/exec.ts';
import { createDispatcher, type Dispatcher } from '../../rootd/dispatch.ts';
import { HealthTracker } from '../../rootd/health.ts';
import { StateStore } from '../../rootd/state.ts';
import { ALL_OPS } from '../../shared-protocol/ops/index.ts';
import { createFirewallHandlers, type FirewallDeps } from '../../rootd/ops/firewall.ts';
import type { HandlerTable } from '../../rootd/ops/types.ts';
import { BASE_RULES, type FirewallPolicy } from '../../rootd/ops/firewall-nft.ts';
import { makeTempRootdConfig, ROOT_PEER, type TempRootd } from './helpers.ts';

export const NO_TABLE: ExecResult = {
  code: 1,
  stdout: '',
  stderr: 'Error: No such file or directory\nlist table inet hop3\n                ^^^^\n',
};

export class FakeNft {
  readonly calls: ExecRequest[] = [];
  /** What `nft -j list table inet hop3` prints; null = the table does not exist. */
  listing: string | null = null;
  /** Exit code and stderr of the next `nft -f -` calls. */
  applyResult: ExecResult = { code: 0, stdout: '', stderr: '' };

  readonly exec: Exec = async (req) => {
    this.calls.push(req);
    if (req.args[0] === '-j') return this.listing === null ? NO_TABLE : { code: 0, stdout: this.listing, stderr: '' };
    return this.applyResult;
  };

  /** The scripts given to `nft -f -`, in order. */
  get scripts(): string[] {
    return this.calls.filter((c) => c.args[0] === '-f').map((c) => c.input ?? '');
  }
}

/** A listing as nft 1.0.6 prints it, from table objects (metainfo added). */
export function listingOf(objects: unknown[]): string {
  return JSON.stringify({
    nftables: [{ metainfo: { version: '1.0.6', release_name: 'Lester Gooch #5', json_schema_version: 1 } }, ...objects],
  });
}

export interface Harness {
  readonly temp: TempRootd;
  readonly state: StateStore;
  readonly deps: FirewallDeps;
  readonly dispatcher: Dispatcher;
  call(op: string, params: unknown): Promise<Reply>;
  cleanup(): void;
}

export type Reply =
  | { ok: true; result: Record<string, unknown> }
  | { ok: false; error: { code: string; message: string; hint?: string } };

let seq = 0;

export function makeHarness(exec: Exec, policy: FirewallPolicy = 'drop', nftBinary?: string): Harness {
  const temp = makeTempRootdConfig(
    nftBinary ? { binaries: { nft: nftBinary, mount: '/usr/bin/mount', umount: '/usr/bin/umount' } } : {},
  );
  const state = StateStore.open(temp.config.state_file);
  const deps: FirewallDeps = { exec, state, policy };
  const stub = async (): Promise<never> => {
    throw new Error('not part of the firewall tests');
  };
  const handlers = Object.fromEntries(ALL_OPS.map((op) => [op.name, stub])) as unknown as Record<string, unknown>;
  Object.assign(handlers, createFirewallHandlers(deps));
  const dispatcher = createDispatcher({
    handlers: handlers as unknown as HandlerTable,
    oplog: { append: async () => undefined },
    health: new HealthTracker(),
    logInternal: (ref, err) => console.error('internal', ref, err),
  });
  return {
    temp,
    state,
    deps,
    dispatcher,
    async call(op, params) {
      const line = JSON.stringify({ v: 1, id: `t${++seq}`, op, params });
      return JSON.parse(await dispatcher.handleLine(line, ROOT_PEER)) as Reply;
    },
    cleanup: () => temp.cleanup(),
  };
}

/** The error code of a reply, or 'ok'. */
export function codeOf(r: Reply): string {
  return r.ok ? 'ok' : r.error.code;
}

/** A listing with an intact skeleton (policy drop) and the given apps-chain rules. */
export function intactListing(appRules: unknown[]): string {
  return listingOf([
    { table: { family: 'inet', name: 'hop3', handle: 1 } },
    { chain: { family: 'inet', table: 'hop3', name: 'input', handle: 1, type: 'filter', hook: 'input', prio: 0, policy: 'drop' } },
    { chain: { family: 'inet', table: 'hop3', name: 'apps', handle: 2 } },
    ...BASE_RULES.map((b, i) => ({
      rule: { family: 'inet', table: 'hop3', chain: 'input', handle: 3 + i, comment: `hop3-base:${b.name}`, expr: b.expr },
    })),
    ...appRules,
  ]);
}

export function appRuleJson(handle: number, id: string, proto: string, port: number | [number, number], source?: unknown): unknown {
  const expr: unknown[] = [];
  if (source !== undefined) expr.push({ match: { op: '==', left: { payload: { protocol: 'ip', field: 'saddr' } }, right: source } });
  expr.push({
    match: { op: '==', left: { payload: { protocol: proto, field: 'dport' } }, right: Array.isArray(port) ? { range: port } : port },
  });
  expr.push({ accept: null });
  return { rule: { family: 'inet', table: 'hop3', chain: 'apps', handle, comment: `hop3:${id}`, expr } };
}
