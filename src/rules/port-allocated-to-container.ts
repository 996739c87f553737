// Lab: other-container, compose-duplicate. dockerd's in-memory allocator keys on the exact
// (host IP, proto, port): a live container with that mapping makes the next one fail with
// "Bind for IP:P failed: port is already allocated" before the kernel is even asked.
import { publishesExactly } from '../snapshot/index.js';
import { containerHolder, containerLabel, displayBind } from './holders.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const portAllocatedToContainer = defineRule({
  meta: {
    id: 'port-allocated-to-container',
    cause: 'container',
    description: 'A running container of this daemon already publishes the same host IP, protocol and port.',
    requires: ['containers', 'engine'],
    messages: HOST_RULE_MESSAGES['port-allocated-to-container'],
  },
  check({ snap, index }) {
    const out: FindingDraft[] = [];
    const engine = snap.engine.ok ? snap.engine.value : null;
    for (const c of index.liveContainers) {
      const binds = index.requested.filter((b) => publishesExactly(c, b));
      if (binds.length === 0) continue;
      // a mapping whose docker-proxy is gone is the stale-allocation rule's business
      const proxyExpected = engine?.userlandProxy !== false && !engine?.rootless;
      const alive = binds.some((b) =>
        index.socketsOnPort.some(
          (s) =>
            s.ip === b.ip &&
            index.ownersOf(s).some((o) => o.kind === 'docker-proxy' || o.kind === 'dockerd' || o.kind === 'unseen'),
        ),
      );
      if (proxyExpected && snap.sockets.ok && !alive) continue;
      const b = binds[0]!;
      out.push({
        severity: 'error',
        // without sockets its proxy cannot be checked: it may be a stale allocation
        confidence: snap.sockets.ok || !proxyExpected ? 'certain' : 'likely',
        messageId: engine?.product === 'podman' ? 'podmanPublished' : 'allocated',
        holders: binds.map((bb) => containerHolder(c, bb)),
        evidence: [
          {
            fact: 'containers',
            says: `${c.name} is ${c.state} and lists ${c.published.map((p) => `${displayBind({ ip: p.hostIp, port: p.hostPort, proto: p.proto })}->${p.containerPort}`).join(', ')}`,
          },
        ],
        data: {
          container: containerLabel(c),
          bind: displayBind(b),
          containerId: c.id,
          containerName: c.name,
          composeProject: c.composeProject,
          composeService: c.composeService,
          stage: 'port-allocator',
        },
      });
    }
    return out;
  },
});
