// Lab: orphan-dnat (+ -sameip, -nft, -nft-table). A DNAT for the port whose target no live
// container answers for. `docker run -p` SUCCEEDS, Docker appends its own rule after the orphan,
// and the first match wins: outside traffic goes to a dead IP while a localhost check passes
// (loopback goes through docker-proxy). A hazard, reported even though nothing failed.
import { ruleHolder, containerLabel } from './holders.js';
import {
  concernsSubject,
  describeRuleLocation,
  dockerBackend,
  ruleOwner,
  sameWorld,
  shadowedDockerRule,
  victimOf,
} from './dnat.js';
import { defineRule, type FindingDraft } from './types.js';

export const orphanDnat = defineRule({
  meta: {
    id: 'orphan-dnat',
    cause: 'orphan-dnat',
    description:
      "A DNAT rule for this port, in Docker's own netfilter world, forwards to an IP no live container publishes it from.",
    requires: ['containers'],
    anyOf: ['iptablesNft', 'nft', 'iptablesLegacy'],
  },
  check({ snap, subject, index }) {
    const docker = dockerBackend(snap);
    const out: FindingDraft[] = [];
    for (const r of index.dnat) {
      if (docker && !sameWorld(r.backend, docker)) continue; // firewall-split-brain
      if (!docker && r.backend === 'iptables-legacy' && index.dnat.some((x) => x.backend !== 'iptables-legacy'))
        continue;
      if (!concernsSubject(r, subject) || ruleOwner(r, index)) continue;
      const ipOwner = index.containerByIp.get(r.toIp);
      const victim = victimOf(r, index);
      const shadow = shadowedDockerRule(r, index);
      const where = describeRuleLocation(r);
      const effect =
        r.reachable === false
          ? 'nothing jumps to its chain, so it is dead weight rather than a hijack'
          : victim
            ? `it takes outside traffic meant for container ${containerLabel(victim)}${shadow ? ` (Docker's own rule comes after it, at position ${shadow.rule.position + 1})` : ''}; a localhost check still passes because loopback goes through docker-proxy`
            : `a new docker run -p ${subject.port} will succeed, but outside traffic to the port will be sent to ${r.toIp} instead`;
      out.push({
        cause: 'orphan-dnat',
        severity: r.reachable === false ? 'info' : victim ? 'error' : 'warning',
        confidence: ipOwner ? 'likely' : 'certain',
        message: `Orphan DNAT in ${where} sends ${r.proto}/${r.dport} to ${r.toIp}${r.toPort !== null ? `:${r.toPort}` : ''}, ${ipOwner ? `container ${containerLabel(ipOwner)}, which does not publish this port` : 'an IP no running container has'}: ${effect}.`,
        holders: [ruleHolder(r)],
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
        ],
        data: {
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
        },
      });
    }
    return out;
  },
});
