// Lab: other-container, compose-duplicate. dockerd's in-memory allocator refuses a mapping a live
// container already holds, before the kernel is asked: "Bind for IP:P failed: port is already
// allocated". Which binds collide is the engine table's `allocator` key (src/engines).
import { allocatorClaims } from '../snapshot/index.js';
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
    // which binds the allocator keys on comes from the engine table (exact IP up to 28.2; from 28.3
    // also 127.0.0.1:P against 0.0.0.0:P)
    const key = index.semantics?.allocator ?? 'exact-ip';
    for (const c of index.liveContainers) {
      const binds = index.requested.filter((b) => allocatorClaims(c, b, key));
      if (binds.length === 0) continue;
      // a mapping whose docker-proxy is gone is the stale-allocation rule's business
      const proxyExpected = engine?.userlandProxy !== false && !engine?.rootless;
      // the container's own mappings that make the claim (the same IP, or the family's wildcard)
      const held = c.published.filter((p) => binds.some((b) => allocatorClaims({ ...c, published: [p] }, b, key)));
      const alive = held.some((p) =>
        index.socketsOnPort.some(
          (s) =>
            s.ip === p.hostIp &&
            index.ownersOf(s).some((o) => o.kind === 'docker-proxy' || o.kind === 'dockerd' || o.kind === 'unseen'),
        ),
      );
      if (proxyExpected && snap.sockets.ok && !alive) continue;
      const b = binds[0]!;
      const via = held.find((p) => p.hostIp !== b.ip);
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
          via: via ? displayBind({ ip: via.hostIp, port: via.hostPort, proto: via.proto }) : null,
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
