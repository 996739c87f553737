// Issue 11, problem 3: a DNAT for the port that belongs to another manager (Podman's CNI/netavark
// chains, kube-proxy, libvirt, firewalld) or whose target is reached through a non-Docker interface
// (a VM bridge, a VPN, the default gateway). It takes the port's outside traffic, so a new
// `docker run -p` would succeed yet be mis-routed; and it serves someone's live workload, so
// portdoctor never deletes it (src/remedy/plan.ts: suggestions only).
import { ownerLabel } from '../owners/nat-owner.js';
import { concernsSubject, describeRuleLocation, displayTarget, judgeRule, victimOf } from './dnat.js';
import { containerLabel, ruleHolder } from './holders.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const foreignDnat = defineRule({
  meta: {
    id: 'foreign-dnat',
    cause: 'foreign-dnat',
    description:
      'A DNAT rule for this port belongs to another manager (Podman, libvirt, kube-proxy, firewalld, a VPN, a host interface) and takes its traffic.',
    requires: [],
    anyOf: ['iptablesNft', 'nft', 'iptablesLegacy'],
    messages: HOST_RULE_MESSAGES['foreign-dnat'],
  },
  check({ snap, subject, index }) {
    const out: FindingDraft<keyof (typeof HOST_RULE_MESSAGES)['foreign-dnat']>[] = [];
    for (const r of index.dnat) {
      if (!concernsSubject(r, subject)) continue;
      const judged = judgeRule(r, snap, index);
      if (judged.cls !== 'foreign' || !judged.judgement) continue;
      const j = judged.judgement;
      const victim = victimOf(r, index);
      out.push({
        severity: r.reachable === false ? 'info' : victim ? 'error' : 'warning',
        confidence: j.owner.kind === 'unknown' ? 'likely' : 'certain',
        messageId: r.reachable === false ? 'unreachable' : victim ? 'takesTraffic' : 'willTakeTraffic',
        holders: [ruleHolder(r, j.owner)],
        evidence: [
          {
            fact: r.backend === 'nft' ? 'nft' : r.backend === 'iptables-nft' ? 'iptablesNft' : 'iptablesLegacy',
            says: r.text,
          },
          ...j.evidence,
        ],
        data: {
          where: describeRuleLocation(r),
          dnatPort: `${r.proto}/${r.dport}`,
          destination: displayTarget(r),
          owner: ownerLabel(j.owner),
          why: j.owner.why,
          victim: victim ? containerLabel(victim) : null,
          port: subject.port,
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
});
