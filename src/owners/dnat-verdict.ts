// What a DNAT rule amounts to, judged once for the four DNAT rules of diagnose (orphan-dnat,
// firewall-split-brain, foreign-dnat, dnat-owner-unknown) and for the port map, so the exporter
// counts exactly what diagnose would say. Pure.
import type { Container, DnatRule, FirewallBackend, Snapshot } from '../model.js';
import { natClass, natOwner, ownerContext, publishesRule, type NatClass, type NatOwnerJudgement } from './nat-owner.js';

/**
 * own: a live container of the asked engine publishes it. orphan: Docker's world, nothing answers.
 * split-brain: the x_tables world Docker does not write to, not someone else's. foreign: another
 * manager's, or something else answers. unknown: nothing says whose it is.
 */
export type DnatVerdict = 'own' | 'orphan' | 'split-brain' | 'foreign' | 'unknown';

export interface DnatJudged {
  readonly verdict: DnatVerdict;
  /** the live container it serves (verdict 'own') */
  readonly serves: Container | null;
  /** the owner check's class, whatever the world (dnat-owner-unknown reads it) */
  readonly cls: NatClass;
  /** null for 'own': the owner check is not needed for a rule a live container publishes */
  readonly judgement: NatOwnerJudgement | null;
}

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
export function servingContainer(r: DnatRule, liveByIp: ReadonlyMap<string, Container>): Container | null {
  const c = liveByIp.get(r.toIp);
  return c && publishesRule(c, r) ? c : null;
}

/**
 * `onPort`: every DNAT rule for the same proto and port, from every firewall view (without a known
 * Docker backend, a legacy rule beside nf_tables ones is the other world's).
 */
export function judgeDnat(
  r: DnatRule,
  snap: Snapshot,
  liveByIp: ReadonlyMap<string, Container>,
  onPort: readonly DnatRule[],
): DnatJudged {
  const serves = servingContainer(r, liveByIp);
  if (serves) return { verdict: 'own', serves, cls: 'own', judgement: null };
  const docker = dockerBackend(snap);
  const otherWorld = docker
    ? !sameWorld(r.backend, docker)
    : r.backend === 'iptables-legacy' && onPort.some((x) => x.backend !== 'iptables-legacy');
  const judgement = natOwner(r, ownerContext(snap));
  const cls = natClass(judgement);
  // what each rule requires to speak (their meta.requires): without it, nobody can say orphan
  const canOrphan = snap.containers.ok;
  const canSplit = canOrphan && snap.iptablesNft.ok && snap.iptablesLegacy.ok;
  let verdict: DnatVerdict;
  if (cls === 'foreign') verdict = 'foreign';
  else if (cls === 'own') verdict = 'own';
  else if (otherWorld) verdict = canSplit ? 'split-brain' : 'unknown';
  else if (cls === 'orphan') verdict = canOrphan ? 'orphan' : 'unknown';
  else verdict = 'unknown';
  return { verdict, serves: null, cls, judgement };
}
