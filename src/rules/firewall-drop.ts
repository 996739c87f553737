// A running container publishes the port and its DNAT is in place, but a filter rule
// (DOCKER-USER, FORWARD, INPUT, a raw-table drop, or a chain policy) drops or rejects the traffic
// on its way: the path model names the rule. The host's own connections do not cross FORWARD, so
// a check from the host itself still passes.
import { containerLabel } from './holders.js';
import { hostDnatEngine, outsideWalk, publishedOnSubject } from './published.js';
import { describeOutcome } from '../path/index.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const firewallDrop = defineRule({
  meta: {
    id: 'firewall-drop',
    cause: 'firewall-drop',
    description: 'A filter rule or chain policy drops or rejects traffic to a port a running container publishes.',
    requires: ['containers', 'engine'],
    anyOf: ['iptablesNft', 'iptablesLegacy', 'nft'],
    messages: HOST_RULE_MESSAGES['firewall-drop'],
  },
  check({ snap, subject, index }) {
    if (!hostDnatEngine(snap)) return [];
    const out: FindingDraft<'dropped'>[] = [];
    for (const p of publishedOnSubject(index, subject)) {
      const w = outsideWalk(snap, p);
      if (w.paths.length === 0) continue;
      const drops = w.paths.filter((x) => x.outcome.kind === 'dropped');
      if (drops.length === 0) continue;
      const first = drops[0]?.outcome;
      if (first?.kind !== 'dropped') continue;
      const h = first.by;
      // Docker's own per-network drop of an unpublished port, reached because an orphan DNAT took
      // the packet elsewhere, is the orphan's doing (orphan-dnat), not a firewall rule's
      const dnatTo = drops[0]?.hops.find((x) => x.verdict.startsWith('dnat to'))?.verdict ?? null;
      if (dnatTo && !dnatTo.includes(`${p.ip}:`)) continue;
      const all = drops.length === w.paths.length;
      const ruleText = h.rule ?? `the ${h.chain} chain's policy (${h.verdict})`;
      const where = `${h.backend} ${h.family} ${h.table} ${h.chain}${h.handle !== null ? ` handle ${h.handle}` : h.position !== null ? ` rule ${h.position + 1}` : ''}`;
      out.push({
        severity: all ? 'error' : 'warning',
        confidence: all ? 'certain' : 'possible',
        messageId: 'dropped',
        holders: [
          {
            kind: 'rule',
            backend: h.backend ?? 'iptables-nft',
            family: h.family === 'ip6' ? 'ip6' : 'ip',
            table: h.table ?? '',
            chain: h.chain ?? '',
            rule: ruleText,
            handle: h.handle,
            toIp: p.ip,
            toPort: p.b.containerPort,
          },
        ],
        evidence: [
          {
            fact: h.backend === 'nft' ? 'nft' : h.backend === 'iptables-legacy' ? 'iptablesLegacy' : 'iptablesNft',
            says: ruleText,
          },
          {
            fact: 'containers',
            says: `${p.c.name} (${p.ip}) publishes ${p.b.hostPort}->${p.b.containerPort}/${p.b.proto}`,
          },
          {
            fact: 'iptablesNft',
            says: `path from outside: ${drops[0]?.hops.map((x) => `${x.chain}: ${x.verdict}`).join(' → ')} ⇒ ${describeOutcome(first)}`,
          },
        ],
        data: {
          bind: `${p.b.hostIp}:${p.b.hostPort}/${p.b.proto}`,
          container: containerLabel(p.c),
          rejected: first.verdict === 'reject',
          where,
          ruleText,
          someClients: !all,
          assumptions: all ? null : (drops[0]?.assumptions.join('; ') ?? null),
          containerId: p.c.id,
          containerName: p.c.name,
          containerIp: p.ip,
          containerPort: p.b.containerPort,
          hostPort: p.b.hostPort,
          proto: p.b.proto,
          backend: h.backend,
          family: h.family,
          table: h.table,
          chain: h.chain,
          rule: h.rule,
          spec: h.spec ? JSON.stringify(h.spec) : null,
          handle: h.handle,
          verdict: first.verdict,
          comment: h.comment,
          policy: h.rule === null,
        },
      });
    }
    return out;
  },
});
