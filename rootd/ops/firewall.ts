/**
 * firewall.* handlers and reconcile.
 *
 * ## Chain design (table inet hop3)
 *
 * Everything rootd owns lives in `table inet hop3`; rootd never reads or
 * writes any other table. The table holds two chains:
 *
 *   table inet hop3 {
 *     chain input {                      # base chain
 *       type filter hook input priority filter; policy drop;   # or accept, see below
 *       ct state established,related accept      comment "hop3-base:established"
 *       iif "lo" accept                          comment "hop3-base:loopback"
 *       meta l4proto { icmp, ipv6-icmp } accept  comment "hop3-base:icmp"
 *       ip6 saddr fe80::/10 udp dport 546 accept comment "hop3-base:dhcpv6"
 *       tcp dport { 22, 80, 443 } accept         comment "hop3-base:platform"
 *       jump apps                                comment "hop3-base:apps"
 *     }
 *     chain apps {                       # one rule per firewall.add_rule
 *       tcp dport 1935 accept                                  comment "hop3:fw-<16 hex>"
 *       ip saddr 10.0.0.0/8 udp dport 9000-9010 accept         comment "hop3:fw-<16 hex>"
 *     }
 *   }
 *
 * What an add_rule does to traffic: a new inbound connection (or udp flow)
 * reaching the host's input hook is accepted by this table if it matches an
 * app rule (protocol, destination port or range, and — unless the source is
 * `any` — an IPv4 source inside the CIDR; a CIDR rule never matches IPv6).
 * With policy `drop` (rootd config `firewall.policy`; the production example
 * config sets it, an absent field means `accept` so that rootd never closes a
 * host its operator did not ask it to), inbound
 * traffic that is not a reply, loopback, ICMP, DHCPv6, SSH/HTTP/HTTPS or an
 * app rule is dropped: the host is closed by default and add_rule opens
 * exactly the declared port. With policy `accept`, this table drops nothing,
 * so app rules do not change traffic at all: that mode is for hosts whose
 * operator runs their own firewall. Note that nftables evaluates every base
 * chain on a hook, so an `accept` here can never override a `drop` in another
 * table: on a host with another default-drop ruleset, the operator must let
 * the declared ports through in that ruleset too. Conversely this table's
 * `drop` applies whatever other tables say, so with policy `drop` every
 * inbound service not listed above must be declared through firewall.add_rule.
 *
 * Markers: each app rule carries the comment `hop3:<rule-id>`, each fixed rule
 * `hop3-base:<name>`. Rule ids are derived from (app, proto, port, source), so
 * the same rule always has the same id and the same marker.
 *
 * Changes are nft scripts fed to `nft -f -` on stdin: each script is one
 * kernel transaction (all of it applies, or none). The only read is
 * `nft -j list table inet hop3`, parsed as JSON (firewall-live.ts). Nothing
 * is ever built as a shell string; the exec wrapper runs the configured
 * absolute nft binary with an argv array.
 *
 * Discipline: add/remove record the intent in the state file first, then
 * apply; a failed apply reverts the record and replies E_NFT_FAILED. All
 * firewall ops and the reconcile pass run one at a time (a family mutex), so
 * a read-plan-apply never interleaves with another.
 *
 * Reconcile (on start) makes the table exactly what the state says: it
 * (re)creates the table, the base chain (hook, priority, policy, fixed rules
 * in order) and the apps chain; deletes chains rootd did not create; in the
 * apps chain keeps one correct marked rule per state rule and deletes
 * duplicates, rules whose match was altered, marked rules the state does not
 * hold and unmarked rules; re-adds what is missing — all in one transaction,
 * then reads the table back to check that it converged.
 */
import { Hop3Error, isHop3Error } from '../../shared-protocol/errors.ts';
import type { FirewallRule } from '../../shared-protocol/ops/firewall.ts';
import { firstLine, type Exec } from '../exec.ts';
import type { StateStore } from '../state.ts';
import { parseLiveTable, type LiveTable } from './firewall-live.ts';
import { APPLY_ARGV, LIST_ARGV, script, type FirewallPolicy } from './firewall-nft.ts';
import { isLive, planOneRule, planReconcile } from './firewall-plan.ts';
import { decideClaim, validateRule } from './firewall-validate.ts';
import type { FamilyHandlers, ReconcileReport } from './types.ts';

export interface FirewallDeps {
  readonly exec: Exec;
  readonly state: StateStore;
  /** Policy of the base chain; default 'accept' when the config is silent; 'drop' closes the host except the fixed rules and app rules. */
  readonly policy?: FirewallPolicy;
}

/** Read table inet hop3; null when it does not exist. */
export async function readLiveTable(exec: Exec): Promise<LiveTable | null> {
  const r = await exec({ bin: 'nft', args: LIST_ARGV });
  if (r.code !== 0) {
    // nft's answer when the table does not exist (not any ENOENT, e.g. of a namespace or a binary).
    if (/Error: No such file or directory[^\n]*\n\s*list table inet hop3/.test(r.stderr)) return null;
    throw new Hop3Error('E_NFT_FAILED', `nft list table inet hop3: ${firstLine(r)}`);
  }
  try {
    return parseLiveTable(r.stdout);
  } catch (e) {
    throw new Hop3Error('E_NFT_FAILED', `nft list table inet hop3: unreadable JSON: ${(e as Error).message}`);
  }
}

/** Apply script lines as one transaction; no-op when empty. */
export async function applyLines(exec: Exec, lines: readonly string[]): Promise<void> {
  if (lines.length === 0) return;
  const r = await exec({ bin: 'nft', args: APPLY_ARGV, input: script(lines) });
  if (r.code !== 0) throw new Hop3Error('E_NFT_FAILED', `nft -f -: ${firstLine(r)}`);
}

/** One firewall operation at a time, per deps object (handlers and reconcile share it). */
const locks = new WeakMap<FirewallDeps, Promise<unknown>>();
function serial<T>(deps: FirewallDeps, fn: () => Promise<T>): Promise<T> {
  const prev = locks.get(deps) ?? Promise.resolve();
  const p = prev.then(fn, fn);
  locks.set(deps, p.catch(() => undefined));
  return p;
}

function asNftError(e: unknown): unknown {
  return isHop3Error(e) ? e : new Hop3Error('E_NFT_FAILED', `firewall apply failed: ${(e as Error).message}`, { cause: e });
}

export function createFirewallHandlers(deps: FirewallDeps): FamilyHandlers<'firewall'> {
  const policy = deps.policy ?? 'accept';
  return {
    'firewall.add_rule': (params) =>
      serial(deps, async () => {
        const wanted = validateRule(params);
        const { rule, created, previous } = await deps.state.update((d) => {
          const decision = decideClaim(d.firewall.rules, wanted);
          if (decision.kind === 'new') {
            d.firewall.rules.push(wanted);
            return { rule: wanted, created: true, previous: null };
          }
          const old = decision.rule;
          if (wanted.description === undefined || wanted.description === old.description) {
            return { rule: old, created: false, previous: null };
          }
          const updated: FirewallRule = { ...old, description: wanted.description };
          d.firewall.rules = d.firewall.rules.map((r) => (r.id === old.id ? updated : r));
          return { rule: updated, created: false, previous: old };
        });
        try {
          const live = await readLiveTable(deps.exec);
          await applyLines(deps.exec, planOneRule(live, rule.id, rule, policy).lines);
        } catch (e) {
          if (created || previous) {
            await deps.state
              .update((d) => {
                d.firewall.rules = created
                  ? d.firewall.rules.filter((r) => r.id !== rule.id)
                  : d.firewall.rules.map((r) => (r.id === rule.id && previous ? previous : r));
              })
              .catch(() => undefined); // reconcile at start converges if even the revert cannot be written
          }
          throw asNftError(e);
        }
        return { rule, created };
      }),

    'firewall.remove_rule': (params) =>
      serial(deps, async () => {
        const { rule, index } = await deps.state.update((d) => {
          const i = d.firewall.rules.findIndex((r) => r.id === params.rule_id && r.app === params.app);
          const found = d.firewall.rules[i];
          if (i < 0 || !found) {
            throw new Hop3Error('E_NOT_FOUND', `app ${params.app} has no firewall rule ${params.rule_id}`, {
              hint: 'List the app\'s rules with firewall.list_rules.',
            });
          }
          d.firewall.rules.splice(i, 1);
          return { rule: found, index: i };
        });
        try {
          const live = await readLiveTable(deps.exec);
          await applyLines(deps.exec, planOneRule(live, rule.id, null, policy).lines);
        } catch (e) {
          await deps.state
            .update((d) => {
              if (!d.firewall.rules.some((r) => r.id === rule.id)) d.firewall.rules.splice(index, 0, rule);
            })
            .catch(() => undefined);
          throw asNftError(e);
        }
        return { removed: true };
      }),

    'firewall.list_rules': (params) =>
      serial(deps, async () => {
        const live = await readLiveTable(deps.exec);
        const rules = deps.state.current.firewall.rules.filter((r) => params.app === undefined || r.app === params.app);
        return { rules: rules.map((r) => ({ ...r, live: isLive(live, r) })) };
      }),
  };
}

/** Re-assert what the state says; remove what rootd owns that the state does not. */
export function reconcileFirewall(deps: FirewallDeps): Promise<ReconcileReport> {
  const policy = deps.policy ?? 'accept';
  return serial(deps, async () => {
    const rules = deps.state.current.firewall.rules;
    try {
      const plan = planReconcile(rules, await readLiveTable(deps.exec), policy);
      await applyLines(deps.exec, plan.lines);
      const after = planReconcile(rules, await readLiveTable(deps.exec), policy);
      const errors = after.changes.map((c) => `table inet hop3 did not converge: still needs: ${c}`);
      return { changes: plan.changes, errors };
    } catch (e) {
      return { changes: [], errors: [(e as Error).message] };
    }
  });
}

export function countFirewall(deps: Pick<FirewallDeps, 'state'>): number {
  return deps.state.current.firewall.rules.length;
}
