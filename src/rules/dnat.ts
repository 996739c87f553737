// Shared judgement of DNAT rules: whose is it (src/owners/dnat-verdict.ts, shared with the port
// map), does it concern the requested host IP. Pure helpers for the DNAT rules.
import type { Container, DnatRule, Snapshot, Subject } from '../model.js';
import { dockerBackend, judgeDnat, sameWorld, servingContainer, type DnatJudged } from '../owners/dnat-verdict.js';
import type { SnapshotIndex } from '../snapshot/index.js';
import { familyOf, isWildcard } from '../util/ip.js';

export { dockerBackend, sameWorld };

/** The live container this DNAT forwards to for this very port, if any (src/owners/dnat-verdict.ts). */
export function ruleOwner(r: DnatRule, index: SnapshotIndex): Container | null {
  return servingContainer(r, index.containerByIp);
}

/** What the rule amounts to (src/owners/dnat-verdict.ts): the port map judges it the same way. */
export function judgeRule(r: DnatRule, snap: Snapshot, index: SnapshotIndex): DnatJudged {
  return judgeDnat(r, snap, index.containerByIp, index.dnat);
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
