/**
 * Pure planning: from the state's rules and the live table (as parsed from
 * `nft -j list table inet hop3`), the nft script lines that make the table
 * match, and one sentence per change. Used by reconcile (whole table) and by
 * the add/remove handlers (scoped to one rule id).
 */
import { isDeepStrictEqual } from 'node:util';
import type { FirewallRule } from '../../shared-protocol/ops/firewall.ts';
import {
  APPS_CHAIN,
  BASE_CHAIN,
  BASE_MARK,
  BASE_RULES,
  FAMILY,
  TABLE,
  addRuleLine,
  deleteChainLine,
  deleteRuleLine,
  flushChainLine,
  skeletonLines,
  type FirewallPolicy,
} from './firewall-nft.ts';
import type { DecodedRule, LiveRule, LiveTable } from './firewall-live.ts';
import { portText, samePort } from './firewall-validate.ts';

export interface Plan {
  /** Script lines for one `nft -f -` transaction; empty when the table already matches. */
  readonly lines: string[];
  /** What the lines change, one sentence each. */
  readonly changes: string[];
}

const MARK_RE = /^hop3:(fw-[0-9a-f]{16})$/;

/** The rule id in a `hop3:<id>` marker comment, or null. */
export function markedId(comment: string | null): string | null {
  const m = comment === null ? null : MARK_RE.exec(comment);
  return m?.[1] ?? null;
}

export function liveMatches(d: DecodedRule | null, rule: FirewallRule): boolean {
  return d !== null && d.proto === rule.proto && d.source === rule.source && samePort(d.port, rule.port);
}

export function describeRule(r: FirewallRule): string {
  return `${r.id} (app ${r.app}, ${r.proto} ${portText(r.port)} from ${r.source})`;
}

/** Is a marked, correctly shaped rule for `rule` present in the apps chain? */
export function isLive(live: LiveTable | null, rule: FirewallRule): boolean {
  return live?.rules.some((l) => l.chain === APPS_CHAIN && markedId(l.comment) === rule.id && liveMatches(l.decoded, rule)) ?? false;
}

/** What the table skeleton (table, base chain + fixed rules + policy, apps chain) needs. */
export function planSkeleton(live: LiveTable | null, policy: FirewallPolicy): Plan {
  if (live === null) {
    return {
      lines: skeletonLines({ policy, recreateBaseChain: false, baseChainExists: false }),
      changes: [`created table ${FAMILY} ${TABLE} with chains ${BASE_CHAIN} (policy ${policy}) and ${APPS_CHAIN}`],
    };
  }
  const changes: string[] = [];
  const base = live.chains.find((c) => c.name === BASE_CHAIN);
  let recreate = false;
  if (!base) changes.push(`created base chain ${BASE_CHAIN} (policy ${policy})`);
  else if (base.type !== 'filter' || base.hook !== 'input' || base.prio !== 0) {
    recreate = true;
    changes.push(`re-created chain ${BASE_CHAIN}: it was not a filter chain hooked at input with priority filter`);
  } else if (base.policy !== policy) {
    changes.push(`set the policy of chain ${BASE_CHAIN} to ${policy} (was ${base.policy ?? 'none'})`);
  }
  if (!live.chains.some((c) => c.name === APPS_CHAIN)) changes.push(`created chain ${APPS_CHAIN}`);
  if (base && !recreate) {
    const have = live.rules.filter((r) => r.chain === BASE_CHAIN);
    const intact =
      have.length === BASE_RULES.length &&
      BASE_RULES.every((b, i) => have[i]?.comment === `${BASE_MARK}${b.name}` && isDeepStrictEqual(have[i]?.expr, b.expr));
    if (!intact) changes.push(`restored the fixed rules of chain ${BASE_CHAIN} (found ${have.length} rules, expected ${BASE_RULES.length} in order)`);
  }
  if (changes.length === 0) return { lines: [], changes };
  return { lines: skeletonLines({ policy, recreateBaseChain: recreate, baseChainExists: base !== undefined }), changes };
}

/**
 * Plan the apps chain: keep exactly one correct marked rule per desired rule,
 * delete everything else in scope (duplicates, altered rules, rules the
 * state does not hold, unmarked rules), add what is missing.
 */
export function planApps(
  live: readonly LiveRule[],
  desired: readonly FirewallRule[],
  inScope: (l: LiveRule) => boolean = () => true,
): Plan {
  const lines: string[] = [];
  const changes: string[] = [];
  const want = new Map(desired.map((r) => [r.id, r]));
  const kept = new Set<string>();
  for (const l of live) {
    if (l.chain !== APPS_CHAIN || !inScope(l)) continue;
    const id = markedId(l.comment);
    const rule = id === null ? undefined : want.get(id);
    if (id === null) {
      changes.push(`deleted an unmarked rule (handle ${l.handle}) from chain ${APPS_CHAIN}`);
    } else if (!rule) {
      changes.push(`deleted rule ${id}, which the state does not hold`);
    } else if (kept.has(id)) {
      changes.push(`deleted a duplicate of rule ${id}`);
    } else if (!liveMatches(l.decoded, rule)) {
      changes.push(`deleted rule ${id}, whose match no longer says ${rule.proto} ${portText(rule.port)} from ${rule.source}`);
    } else {
      kept.add(id);
      continue;
    }
    lines.push(deleteRuleLine(APPS_CHAIN, l.handle));
  }
  for (const r of desired) {
    if (kept.has(r.id)) continue;
    lines.push(addRuleLine(r));
    changes.push(`added missing rule ${describeRule(r)}`);
  }
  return { lines, changes };
}

/** The whole-table plan: skeleton, chains rootd did not create, then the apps chain. */
export function planReconcile(rules: readonly FirewallRule[], live: LiveTable | null, policy: FirewallPolicy): Plan {
  const skeleton = planSkeleton(live, policy);
  const lines = [...skeleton.lines];
  const changes = [...skeleton.changes];
  const foreign = (live?.chains ?? []).filter((c) => c.name !== BASE_CHAIN && c.name !== APPS_CHAIN);
  // Flushes first (they drop jumps into foreign chains), deletes of chains last.
  for (const c of foreign) lines.push(flushChainLine(c.name));
  // A rule flushed with the base chain by the skeleton must not be deleted again by handle.
  const apps = planApps(live?.rules ?? [], rules);
  lines.push(...apps.lines.filter((l) => l.startsWith('delete ')));
  for (const c of foreign) {
    lines.push(deleteChainLine(c.name));
    changes.push(`deleted chain ${c.name}, which rootd did not create`);
  }
  lines.push(...apps.lines.filter((l) => !l.startsWith('delete ')));
  changes.push(...apps.changes);
  return { lines, changes };
}

/** The plan for one rule id (add_rule with `desired = [rule]`, remove_rule with `desired = []`). */
export function planOneRule(live: LiveTable | null, id: string, desired: FirewallRule | null, policy: FirewallPolicy): Plan {
  const skeleton = desired ? planSkeleton(live, policy) : { lines: [], changes: [] };
  const one = planApps(live?.rules ?? [], desired ? [desired] : [], (l) => markedId(l.comment) === id);
  return { lines: [...skeleton.lines, ...one.lines], changes: [...skeleton.changes, ...one.changes] };
}
