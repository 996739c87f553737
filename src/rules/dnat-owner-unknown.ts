// A DNAT for the port outside Docker's chains whose owner nothing in the snapshot can name: no route,
// network or engine says who answers for its target (an older snapshot, `ip` missing, a subnet no
// engine claims). Neither an orphan nor provably someone else's: the verdict says so (unknown), and
// the rule is never touched.
import { natClass, natOwner, ownerContext } from '../owners/nat-owner.js';
import { concernsSubject, describeRuleLocation, ruleOwner } from './dnat.js';
import { ruleHolder } from './holders.js';
import type { FindingDraft, Rule } from './types.js';

export const dnatOwnerUnknown: Rule = {
  meta: {
    id: 'dnat-owner-unknown',
    cause: 'unknown',
    description: "A DNAT rule for this port lies outside Docker's chains and nothing says who answers for its target.",
    requires: [],
    anyOf: ['iptablesNft', 'nft', 'iptablesLegacy'],
  },
  check({ snap, subject, index }) {
    const out: FindingDraft[] = [];
    const ctx = ownerContext(snap);
    for (const r of index.dnat) {
      if (!concernsSubject(r, subject) || ruleOwner(r, index)) continue;
      const j = natOwner(r, ctx);
      if (natClass(j) !== 'unknown') continue;
      out.push({
        cause: 'unknown',
        severity: r.reachable === false ? 'info' : 'warning',
        confidence: 'possible',
        message: `DNAT in ${describeRuleLocation(r)} sends ${r.proto}/${r.dport} to ${r.toIp}${r.toPort !== null ? `:${r.toPort}` : ''}, but ${j.owner.why}: it may be another workload's port forward or a leftover, so it is reported and not touched.`,
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
          toIp: r.toIp,
          toPort: r.toPort,
          ownerKind: 'unknown',
        },
      });
    }
    return out;
  },
};
