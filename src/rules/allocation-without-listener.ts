// Lab: killed-proxy. A running container keeps its allocation after its docker-proxy died: the
// next `docker run -p` gets "port is already allocated" while `ss` shows no docker-proxy at all
// (and later perhaps an unrelated host process that took the freed socket).
import { expectsProxy, servesAllocation } from '../owners/socket-owner.js';
import { publishesExactly } from '../snapshot/index.js';
import { containerHolder, containerLabel, displayBind } from './holders.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const allocationWithoutListener = defineRule({
  meta: {
    id: 'allocation-without-listener',
    cause: 'stale-allocation',
    description: 'A running container holds the allocation but its docker-proxy no longer listens.',
    requires: ['containers', 'engine', 'sockets', 'processes'],
    messages: HOST_RULE_MESSAGES['allocation-without-listener'],
  },
  check({ snap, index }) {
    const engine = snap.engine.ok ? snap.engine.value : null;
    if (!expectsProxy(engine)) return [];
    const out: FindingDraft[] = [];
    for (const c of index.liveContainers) {
      const binds = index.requested.filter((b) => publishesExactly(c, b));
      if (binds.length === 0) continue;
      const missing = binds.filter(
        (b) => !index.socketsOnPort.some((s) => s.ip === b.ip && index.ownersOf(s).some(servesAllocation)),
      );
      if (missing.length !== binds.length) continue;
      const unseen = binds.some((b) =>
        index.socketsOnPort.some((s) => s.ip === b.ip && index.ownersOf(s).some((o) => o.kind === 'unseen')),
      );
      const others = index.socketsOnPort
        .filter((s) => binds.some((b) => b.ip === s.ip))
        .flatMap((s) => index.ownersOf(s))
        .filter((o) => o.kind === 'process');
      const b = binds[0]!;
      out.push({
        severity: 'error',
        confidence: unseen ? 'possible' : 'certain',
        messageId: 'proxyGone',
        holders: binds.map((bb) => containerHolder(c, bb)),
        evidence: [
          { fact: 'containers', says: `${c.name} is ${c.state} and lists ${binds.map(displayBind).join(', ')}` },
          {
            fact: 'sockets',
            says: `no docker-proxy socket on ${binds.map(displayBind).join(' or ')}${others.length ? `; ${others.map((o) => (o.kind === 'process' ? `${o.proc.comm} (pid ${o.proc.pid})` : '')).join(', ')} holds it now` : ''}`,
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
          hostProcessNow: others.length > 0,
        },
      });
    }
    return out;
  },
});
