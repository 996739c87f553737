// Lab: orphan-dnat-legacy. A DNAT for the port in the x_tables world Docker does NOT write to
// (iptables-legacy while dockerd runs iptables-nft, or the reverse: the WSL2 split brain). Docker's
// view (iptables-nft-save) shows only a warning line. Both NAT tables hook prerouting at priority
// -100 and the one registered last runs first, so which wins depends on boot history.
import { containerLabel, ruleHolder } from './holders.js';
import { concernsSubject, describeRuleLocation, displayTarget, dockerBackend, judgeRule, victimOf } from './dnat.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const firewallSplitBrain = defineRule({
  meta: {
    id: 'firewall-split-brain',
    cause: 'firewall-split-brain',
    description: 'A DNAT rule for this port lives in the iptables backend Docker does not use (legacy vs nf_tables).',
    requires: ['containers', 'iptablesNft', 'iptablesLegacy'],
    messages: HOST_RULE_MESSAGES['firewall-split-brain'],
  },
  check({ snap, subject, index }) {
    const docker = dockerBackend(snap);
    const out: FindingDraft[] = [];
    for (const r of index.dnat) {
      if (!concernsSubject(r, subject)) continue;
      const judged = judgeRule(r, snap, index);
      // another manager's rule (or one reached through a non-Docker interface): foreign-dnat reports it
      if (judged.verdict !== 'split-brain' || !judged.judgement) continue;
      const j = judged.judgement;
      const victim = victimOf(r, index);
      const wsl = snap.host.ok && snap.host.value.wsl === 2;
      out.push({
        severity: r.reachable === false ? 'info' : 'error',
        confidence: docker ? 'certain' : 'likely',
        messageId: 'otherBackend',
        holders: [ruleHolder(r, j.owner)],
        evidence: [
          {
            fact: r.backend === 'iptables-legacy' ? 'iptablesLegacy' : r.backend === 'nft' ? 'nft' : 'iptablesNft',
            says: r.text,
          },
          { fact: 'engine', says: `Docker's backend: ${docker ?? 'unknown'}` },
          ...j.evidence,
        ],
        data: {
          dnatPort: `${r.proto}/${r.dport}`,
          destination: displayTarget(r),
          where: describeRuleLocation(r),
          victim: victim ? containerLabel(victim) : null,
          backend: r.backend,
          table: r.table,
          chain: r.chain,
          handle: r.handle,
          toIp: r.toIp,
          toPort: r.toPort,
          dockerBackend: docker,
          wsl,
          victimId: victim?.id ?? null,
          ownerKind: j.owner.kind,
          proven: j.proven,
        },
      });
    }
    return out;
  },
});
