// Which base chains the kernel runs at a hook, and in what order. Every table of every view is
// registered at the same netfilter hook; the kernel sorts hook entries by priority and, at equal
// priority, runs the most recently registered first (nf_hook_entries_grow inserts a new entry before
// the first one of equal or higher priority). NAT chains are a special case: they all hang off one
// nf_nat hook entry (at NF_IP_PRI_NAT_DST -100 for prerouting/output) and run in their own priority
// order until one of them has set up the connection's NAT binding; the rest are skipped.
import type { NfChain, NfHook, NfTable, Snapshot } from '../model.js';

export interface ChainRef {
  readonly table: NfTable;
  readonly chain: NfChain;
  /** position in the kernel's nf_tables table list (creation order); null for x_tables (legacy) */
  readonly rank: number | null;
}

export interface HookPlan {
  /** filter/route-type chains and the NAT group, in the order they run */
  readonly items: ReadonlyArray<{ readonly kind: 'chain'; readonly ref: ChainRef } | { readonly kind: 'nat' }>;
  /** the possible orders of the NAT chains: more than one when x_tables and nf_tables tie */
  readonly natOrders: ReadonlyArray<{ readonly chains: readonly ChainRef[]; readonly assumption: string | null }>;
}

export function allTables(snap: Snapshot): { tables: NfTable[]; missing: string[] } {
  const tables: NfTable[] = [];
  const missing: string[] = [];
  for (const [k, f] of [
    ['iptables-nft', snap.iptablesNft],
    ['iptables-legacy', snap.iptablesLegacy],
    ['nft', snap.nft],
  ] as const) {
    if (!f.ok) missing.push(`${k}: ${f.error.message}`);
    else if (!f.value.rulesets) missing.push(`${k}: this snapshot predates rule sets (collect it again)`);
    else tables.push(...f.value.rulesets);
  }
  return { tables, missing };
}

function rankOf(snap: Snapshot, t: NfTable): number | null {
  if (t.backend === 'iptables-legacy') return null;
  const order = snap.nft.ok ? snap.nft.value.tables : [];
  const i = order.indexOf(`${t.family} ${t.name}`);
  return i < 0 ? -1 : i;
}

/** NAT group position: NF_IP_PRI_NAT_DST for prerouting/output, NF_IP_PRI_NAT_SRC for input/postrouting */
const NAT_PRIO: Record<NfHook, number> = { prerouting: -100, output: -100, input: 100, postrouting: 100, forward: 0 };

export function hookPlan(snap: Snapshot, tables: readonly NfTable[], family: 4 | 6, hook: NfHook): HookPlan {
  const fam = family === 4 ? 'ip' : 'ip6';
  const refs: ChainRef[] = [];
  for (const t of tables) {
    if (t.family !== fam && t.family !== 'inet') continue;
    for (const c of t.chains) if (c.hook === hook) refs.push({ table: t, chain: c, rank: rankOf(snap, t) });
  }
  // newer first at equal priority; x_tables' registration time is not observable (rank null)
  const byPrio = (a: ChainRef, b: ChainRef): number =>
    (a.chain.priority ?? 0) - (b.chain.priority ?? 0) || (b.rank ?? -2) - (a.rank ?? -2);
  const others = refs.filter((r) => r.chain.type !== 'nat').sort(byPrio);
  // DNAT happens only at prerouting and output; the nat chains of input/postrouting only do SNAT
  const nat = hook === 'prerouting' || hook === 'output' ? refs.filter((r) => r.chain.type === 'nat').sort(byPrio) : [];
  const items: Array<{ kind: 'chain'; ref: ChainRef } | { kind: 'nat' }> = [];
  let natPlaced = nat.length === 0;
  for (const r of others) {
    if (!natPlaced && (r.chain.priority ?? 0) > NAT_PRIO[hook]) {
      items.push({ kind: 'nat' });
      natPlaced = true;
    }
    items.push({ kind: 'chain', ref: r });
  }
  if (!natPlaced) items.push({ kind: 'nat' });
  const natOrders: Array<{ chains: ChainRef[]; assumption: string | null }> = [];
  // the order only matters when both worlds can translate: an empty legacy nat table changes nothing
  const translates = (r: ChainRef): boolean =>
    r.table.chains.some((c) => c.rules.some((x) => x.verdict.k === 'dnat' || x.verdict.k === 'redirect'));
  const legacy = nat.filter((r) => r.rank === null && translates(r));
  const tie = legacy.some((l) =>
    nat.some((n) => n.rank !== null && n.chain.priority === l.chain.priority && translates(n)),
  );
  if (!tie) natOrders.push({ chains: nat, assumption: null });
  else {
    const merge = (legacyFirst: boolean): ChainRef[] =>
      [...nat].sort((a, b) => {
        const dp = (a.chain.priority ?? 0) - (b.chain.priority ?? 0);
        if (dp) return dp;
        const al = a.rank === null;
        if (al !== (b.rank === null)) return al === legacyFirst ? -1 : 1;
        return (b.rank ?? 0) - (a.rank ?? 0);
      });
    natOrders.push({
      chains: merge(true),
      assumption: `iptables-legacy's nat table was registered after nf_tables' (so it runs first at priority ${legacy[0]?.chain.priority ?? -100}); which was first depends on the boot history`,
    });
    natOrders.push({
      chains: merge(false),
      assumption: "nf_tables' nat chains were registered after iptables-legacy's (so they run first)",
    });
  }
  return { items, natOrders };
}
