// Lab: orphan-dnat (+ -sameip, -nft, -nft-table). A DNAT for the port whose target no live
// container answers for. `docker run -p` SUCCEEDS, Docker appends its own rule after the orphan,
// and the first match wins: outside traffic goes to a dead IP while a localhost check passes
// (loopback goes through docker-proxy). A hazard, reported even though nothing failed.
// Orphan only with proof (src/owners/nat-owner.ts): a rule of another manager, or whose target is
// reached through a non-Docker interface, is foreign-dnat instead. A rule in Docker's own chain or
// subnet that nothing proves dead is reported `likely`, and its deletion is only a suggestion.
import { ruleHolder, containerLabel } from './holders.js';
import {
  concernsSubject,
  describeRuleLocation,
  displayTarget,
  dockerBackend,
  judgeRule,
  shadowedDockerRule,
  victimOf,
} from './dnat.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const orphanDnat = defineRule({
  meta: {
    id: 'orphan-dnat',
    cause: 'orphan-dnat',
    description:
      "A DNAT rule for this port, in Docker's own netfilter world, forwards to an IP no live container publishes it from.",
    requires: ['containers'],
    anyOf: ['iptablesNft', 'nft', 'iptablesLegacy'],
    messages: HOST_RULE_MESSAGES['orphan-dnat'],
  },
  check({ snap, subject, index }) {
    const docker = dockerBackend(snap);
    const out: FindingDraft[] = [];
    for (const r of index.dnat) {
      if (!concernsSubject(r, subject)) continue;
      const judged = judgeRule(r, snap, index);
      // the other world's: firewall-split-brain; another manager's (or a host interface's): foreign-dnat;
      // nobody known: dnat-owner-unknown
      if (judged.verdict !== 'orphan' || !judged.judgement) continue;
      const j = judged.judgement;
      const ipOwner = index.containerByIp.get(r.toIp);
      const victim = victimOf(r, index);
      const shadow = shadowedDockerRule(r, index);
      out.push({
        severity: r.reachable === false ? 'info' : victim ? 'error' : 'warning',
        confidence: ipOwner || !j.proven ? 'likely' : 'certain',
        messageId: r.reachable === false ? 'unreachable' : victim ? 'takesTraffic' : 'willTakeTraffic',
        holders: [ruleHolder(r, j.owner)],
        evidence: [
          {
            fact: r.backend === 'nft' ? 'nft' : r.backend === 'iptables-nft' ? 'iptablesNft' : 'iptablesLegacy',
            says: r.text,
          },
          {
            fact: 'containers',
            says: ipOwner
              ? `${r.toIp} is ${ipOwner.name}, publishing ${ipOwner.published.map((p) => `${p.hostPort}/${p.proto}`).join(', ') || 'nothing'}`
              : `no running container has IP ${r.toIp}`,
          },
          ...j.evidence.filter((e) => e.fact !== 'containers'),
        ],
        data: {
          where: describeRuleLocation(r),
          dnatPort: `${r.proto}/${r.dport}`,
          destination: displayTarget(r),
          ipOwner: ipOwner ? containerLabel(ipOwner) : null,
          victim: victim ? containerLabel(victim) : null,
          shadowPosition: shadow ? shadow.rule.position + 1 : null,
          port: subject.port,
          backend: r.backend,
          table: r.table,
          chain: r.chain,
          handle: r.handle,
          toIp: r.toIp,
          toPort: r.toPort,
          position: r.position,
          reachable: r.reachable,
          priority: r.priority,
          dockerBackend: docker,
          victimId: victim?.id ?? null,
          victimName: victim?.name ?? null,
          notProven: j.proven ? null : j.owner.why,
          ownerKind: j.owner.kind,
          proven: j.proven,
        },
      });
    }
    return out;
  },
});
