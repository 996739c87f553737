// dockerd maps the port (a running container publishes it) but the DNAT it wrote, its
// DOCKER chain or the jump to that chain is gone: a firewall reload (firewalld, iptables-restore,
// a nat flush) wiped them while dockerd still believes the mapping is programmed. With
// userland-proxy on, docker-proxy may still carry outside traffic to the host's own address (the
// client's source address is then lost); without it nothing answers.
import { containerHolder, containerLabel } from './holders.js';
import { dockerBackend, sameWorld } from './dnat.js';
import { hostDnatEngine, outsideWalk, publishedOnSubject, reaches } from './published.js';
import { describeOutcome } from '../path/index.js';
import { firewallViews } from '../snapshot/index.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const dockerRulesMissing = defineRule({
  meta: {
    id: 'docker-rules-missing',
    cause: 'docker-rules-missing',
    description:
      "A running container publishes the port, but Docker's DNAT rule for it, its DOCKER chain or the jump to that chain is missing.",
    requires: ['containers', 'engine'],
    anyOf: ['iptablesNft', 'iptablesLegacy', 'nft'],
    messages: HOST_RULE_MESSAGES['docker-rules-missing'],
  },
  check({ snap, subject, index }) {
    if (!hostDnatEngine(snap)) return [];
    const backend = dockerBackend(snap);
    // Docker's rules may sit in any view of its netfilter world (a native nft rule makes iptables-save
    // blind for the whole nat table): every one of them must have been read to call a rule missing
    const world =
      backend === 'iptables-legacy'
        ? [snap.iptablesLegacy]
        : backend
          ? [snap.iptablesNft, snap.nft]
          : firewallFacts(snap);
    if (world.some((f) => !f.ok)) return [];
    const views = firewallViews(snap).filter(
      (v) => v.rulesets !== undefined && (!backend || sameWorld(v.backend, backend)),
    );
    // an old snapshot without rule sets, or a view that could not be read, says nothing
    if (views.length === 0 || (backend && !views.some((v) => v.backend === backend))) return [];
    const out: FindingDraft<keyof (typeof HOST_RULE_MESSAGES)['docker-rules-missing']>[] = [];
    for (const p of publishedOnSubject(index, subject)) {
      const own = index.dnat.filter(
        (r) =>
          (!backend || sameWorld(r.backend, backend)) &&
          r.toIp === p.ip &&
          (r.toPort === null || r.toPort === p.b.containerPort) &&
          (r.daddr === null || p.b.hostIp === '0.0.0.0' || r.daddr === p.b.hostIp),
      );
      const reachable = own.filter((r) => r.reachable !== false);
      if (reachable.length) continue;
      const chainGone = !views.some((v) => v.hasDockerChain);
      const w = outsideWalk(snap, p);
      const still = reaches(w, p.c);
      out.push({
        severity: 'error',
        confidence: chainGone ? 'likely' : 'certain',
        messageId: own.length ? 'jumpGone' : chainGone ? 'chainGone' : 'dnatGone',
        holders: [containerHolder(p.c, { proto: p.b.proto, ip: p.b.hostIp, port: p.b.hostPort })],
        evidence: [
          {
            fact: 'containers',
            says: `${p.c.name} (${p.ip}) is ${p.c.state} and publishes ${p.b.hostIp}:${p.b.hostPort}->${p.b.containerPort}/${p.b.proto}`,
          },
          {
            fact: backend === 'nft' ? 'nft' : backend === 'iptables-legacy' ? 'iptablesLegacy' : 'iptablesNft',
            says: own.length
              ? `${own[0]?.text} (unreachable: no jump to ${own[0]?.chain})`
              : `no DNAT to ${p.ip}:${p.b.containerPort} for port ${p.b.hostPort} in ${backend ?? 'any view'}${chainGone ? '; no DOCKER chain in nat' : ''}`,
          },
          {
            fact: 'iptablesNft',
            says: `path from outside: ${w.paths[0]?.hops.map((h) => `${h.chain}: ${h.verdict}`).join(' → ') || 'no hops'} ⇒ ${describeOutcome(w.outcome)}`,
          },
        ],
        data: {
          container: containerLabel(p.c),
          bind: `${p.b.hostIp}:${p.b.hostPort}/${p.b.proto}`,
          rule: own[0]?.text ?? null,
          outcome: describeOutcome(w.outcome),
          containerId: p.c.id,
          containerName: p.c.name,
          containerIp: p.ip,
          containerPort: p.b.containerPort,
          hostIp: p.b.hostIp,
          hostPort: p.b.hostPort,
          proto: p.b.proto,
          missing: own.length ? 'jump' : chainGone ? 'chain' : 'dnat',
          chain: own[0]?.chain ?? 'DOCKER',
          bridge: bridgeOf(p.c),
          backend: backend ?? 'iptables-nft',
          stillAnswers: still,
          liveRestore: snap.engine.ok ? snap.engine.value.liveRestore : false,
        },
      });
    }
    return out;
  },
});

const firewallFacts = (snap: Parameters<typeof dockerBackend>[0]) => [snap.iptablesNft, snap.iptablesLegacy, snap.nft];

/** Docker's bridge naming: docker0 for the default network, br-<first 12 of the network id> otherwise */
function bridgeOf(c: { networks?: readonly { name: string; id: string }[] }): string {
  const n = c.networks?.[0];
  if (!n || n.name === 'bridge') return 'docker0';
  return `br-${n.id.slice(0, 12)}`;
}
