// A DNAT for the port outside Docker's chains whose owner nothing in the snapshot can name: no route,
// network or engine says who answers for its target (an older snapshot, `ip` missing, a subnet no
// engine claims). Neither an orphan nor provably someone else's: the verdict says so (unknown), and
// the rule is never touched.
import { concernsSubject, describeRuleLocation, displayTarget, judgeRule } from './dnat.js';
import { ruleHolder } from './holders.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const dnatOwnerUnknown = defineRule({
  meta: {
    id: 'dnat-owner-unknown',
    cause: 'unknown',
    description: "A DNAT rule for this port lies outside Docker's chains and nothing says who answers for its target.",
    requires: [],
    anyOf: ['iptablesNft', 'nft', 'iptablesLegacy'],
    messages: HOST_RULE_MESSAGES['dnat-owner-unknown'],
  },
  check({ snap, subject, index }) {
    const out: FindingDraft<'unknownOwner'>[] = [];
    for (const r of index.dnat) {
      if (!concernsSubject(r, subject)) continue;
      const judged = judgeRule(r, snap, index);
      if (judged.cls !== 'unknown' || !judged.judgement) continue;
      const j = judged.judgement;
      out.push({
        severity: r.reachable === false ? 'info' : 'warning',
        confidence: 'possible',
        messageId: 'unknownOwner',
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
          why: j.owner.why,
          backend: r.backend,
          table: r.table,
          chain: r.chain,
          toIp: r.toIp,
          toPort: r.toPort,
          ownerKind: 'unknown',
        },
      });
    }
    return out;
  },
});
