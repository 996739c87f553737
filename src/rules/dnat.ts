// Shared judgement of DNAT rules: whose is it, which backend does Docker write to, does it
// concern the requested host IP. Pure helpers for orphan-dnat and firewall-split-brain.
import type { Container, DnatRule, FirewallBackend, Snapshot, Subject } from '../model.js';
import type { SnapshotIndex } from '../snapshot/index.js';
import { familyOf, isWildcard } from '../util/ip.js';

/** The backend the daemon programs, or null when nothing says. */
export function dockerBackend(snap: Snapshot): FirewallBackend | null {
  const e = snap.engine.ok ? snap.engine.value : null;
  if (e?.firewallBackend?.startsWith('nftables')) return 'nft';
  if (e?.iptablesVariant === 'legacy') return 'iptables-legacy';
  if (e?.iptablesVariant === 'nft') return 'iptables-nft';
  const nftHas = snap.iptablesNft.ok && snap.iptablesNft.value.hasDockerChain;
  const legHas = snap.iptablesLegacy.ok && snap.iptablesLegacy.value.hasDockerChain;
  if (nftHas && !legHas) return 'iptables-nft';
  if (legHas && !nftHas) return 'iptables-legacy';
  return null;
}

/** iptables-nft and native nft rules live in the same nf_tables world; legacy x_tables is the other one. */
export function sameWorld(a: FirewallBackend, b: FirewallBackend): boolean {
  return (a === 'iptables-legacy') === (b === 'iptables-legacy');
}

/** The live container this DNAT forwards to for this very port, if any. */
export function ruleOwner(r: DnatRule, index: SnapshotIndex): Container | null {
  const c = index.containerByIp.get(r.toIp);
  if (!c) return null;
  const ok = c.published.some(
    (p) =>
      p.proto === r.proto &&
      p.hostPort >= r.dport &&
      p.hostPort <= r.dportEnd &&
      (r.toPort === null || p.containerPort === r.toPort),
  );
  return ok ? c : null;
}

export function concernsSubject(r: DnatRule, subject: Subject): boolean {
  if (subject.ip === null) return true;
  const fam = familyOf(subject.ip) === 6 ? 'ip6' : 'ip';
  if (r.family !== fam) return false;
  return r.daddr === null || isWildcard(subject.ip) || r.daddr === subject.ip;
}

/** Docker's own rule for the same port that comes after this one in the same chain (it loses). */
export function shadowedDockerRule(r: DnatRule, index: SnapshotIndex): { rule: DnatRule; owner: Container } | null {
  for (const other of index.dnat) {
    if (
      other === r ||
      other.backend !== r.backend ||
      other.table !== r.table ||
      other.chain !== r.chain ||
      other.position <= r.position
    )
      continue;
    const owner = ruleOwner(other, index);
    if (owner) return { rule: other, owner };
  }
  return null;
}

/** A live container that publishes this port (the victim whose traffic the orphan takes). */
export function victimOf(r: DnatRule, index: SnapshotIndex): Container | null {
  return (
    index.liveContainers.find((c) =>
      c.published.some((p) => p.proto === r.proto && p.hostPort >= r.dport && p.hostPort <= r.dportEnd),
    ) ?? null
  );
}

export function describeRuleLocation(r: DnatRule): string {
  if (r.backend === 'nft')
    return `nft table ${r.family} ${r.table}, chain ${r.chain}${r.handle !== null ? `, handle ${r.handle}` : ''}${r.priority !== null ? ` (hook priority ${r.priority})` : ''}`;
  return `${r.backend} ${r.family === 'ip6' ? 'ip6tables' : 'iptables'} -t ${r.table}, chain ${r.chain}, rule ${r.position + 1}`;
}

/** Where a DNAT rule sends packets: its IP, and its port when it rewrites the port. */
export const displayTarget = (r: DnatRule): string => `${r.toIp}${r.toPort !== null ? `:${r.toPort}` : ''}`;
