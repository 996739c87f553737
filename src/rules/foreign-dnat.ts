// Issue 11, problem 3: a DNAT for the port that belongs to another manager (Podman's CNI/netavark
// chains, kube-proxy, libvirt, firewalld) or whose target is reached through a non-Docker interface
// (a VM bridge, a VPN, the default gateway). It takes the port's outside traffic, so a new
// `docker run -p` would succeed yet be mis-routed; and it serves someone's live workload, so
// portdoctor never deletes it (src/remedy/plan.ts: suggestions only).
import { natClass, natOwner, ownerContext, ownerLabel } from '../owners/nat-owner.js';
import { concernsSubject, describeRuleLocation, ruleOwner, victimOf } from './dnat.js';
import { containerLabel, ruleHolder } from './holders.js';
import type { FindingDraft, Rule } from './types.js';

export const foreignDnat: Rule = {
  meta: {
    id: 'foreign-dnat',
    cause: 'foreign-dnat',
    description:
      'A DNAT rule for this port belongs to another manager (Podman, libvirt, kube-proxy, firewalld, a VPN, a host interface) and takes its traffic.',
    requires: [],
    anyOf: ['iptablesNft', 'nft', 'iptablesLegacy'],
  },
  check({ snap, subject, index }) {
    const out: FindingDraft[] = [];
    const ctx = ownerContext(snap);
    for (const r of index.dnat) {
      if (!concernsSubject(r, subject) || ruleOwner(r, index)) continue;
      const j = natOwner(r, ctx);
      if (natClass(j) !== 'foreign') continue;
      const victim = victimOf(r, index);
      const target = `${r.toIp}${r.toPort !== null ? `:${r.toPort}` : ''}`;
      const effect =
        r.reachable === false
          ? 'nothing jumps to its chain, so it takes no traffic now'
          : victim
            ? `it takes outside traffic meant for container ${containerLabel(victim)}`
            : `a new docker run -p ${subject.port} would succeed, but outside traffic to the port would go to ${target}`;
      out.push({
        cause: 'foreign-dnat',
        severity: r.reachable === false ? 'info' : victim ? 'error' : 'warning',
        confidence: j.owner.kind === 'unknown' ? 'likely' : 'certain',
        message: `DNAT in ${describeRuleLocation(r)} sends ${r.proto}/${r.dport} to ${target}, which belongs to ${ownerLabel(j.owner)} (${j.owner.why}): ${effect}. It is not Docker's to delete.`,
        holders: [ruleHolder(r, j.owner)],
        evidence: [
          {
            fact: r.backend === 'nft' ? 'nft' : r.backend === 'iptables-nft' ? 'iptablesNft' : 'iptablesLegacy',
            says: r.text,
          },
          ...j.evidence,
        ],
        data: {
          backend: r.backend,
          table: r.table,
          chain: r.chain,
          handle: r.handle,
          toIp: r.toIp,
          toPort: r.toPort,
          ownerKind: j.owner.kind,
          ownerName: j.owner.containerName,
          ownerId: j.owner.containerId,
          iface: j.owner.iface,
          victimId: victim?.id ?? null,
        },
      });
    }
    return out;
  },
};
