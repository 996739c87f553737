// Lab: other-container `-p 127.0.0.1:P` against a container on 0.0.0.0:P. Where the allocator keys on
// the exact host IP (src/engines: 20.10-28.2) it lets the mapping through; the kernel then refuses the
// bind because the container's socket holds the wildcard: "address already in use", caused by a container.
import { allocatorClaims, conflictConfidence } from '../snapshot/index.js';
import { containerHolder, containerLabel, displayBind, sockBind } from './holders.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const portBoundByContainerOnOtherIp = defineRule({
  meta: {
    id: 'port-bound-by-container-on-other-ip',
    cause: 'container',
    description:
      "A live container's docker-proxy (or dockerd's own socket) holds an overlapping host IP for this port.",
    requires: ['sockets', 'processes', 'containers'],
    messages: HOST_RULE_MESSAGES['port-bound-by-container-on-other-ip'],
  },
  check({ index }) {
    const out: FindingDraft[] = [];
    const seen = new Set<string>();
    for (const c of index.conflicts) {
      for (const o0 of c.owners) {
        // Docker 28+: dockerd binds the socket itself (and keeps it with userland-proxy=false)
        const o =
          o0.kind === 'dockerd'
            ? {
                ...o0,
                kind: 'docker-proxy' as const,
                parentIsDockerd: true,
                args: null,
                container:
                  index.liveContainers.find((x) =>
                    x.published.some(
                      (b) => b.proto === c.socket.proto && b.hostPort === c.socket.port && b.hostIp === c.socket.ip,
                    ),
                  ) ?? null,
              }
            : o0;
        if (o.kind !== 'docker-proxy' || !o.parentIsDockerd || !o.container) continue;
        // that is the allocator's refusal (which binds it keys on comes from the engine table)
        if (allocatorClaims(o.container, c.requested, index.semantics?.allocator ?? 'exact-ip')) continue;
        const key = `${o.container.id} ${c.requested.ip}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({
          severity: 'error',
          confidence: conflictConfidence(c),
          messageId: 'overlaps',
          holders: [containerHolder(o.container, sockBind(c.socket), o.proc)],
          evidence: [
            { fact: 'sockets', says: `${o.proc.comm} pid ${o.proc.pid} listens on ${displayBind(c.socket)}` },
            { fact: 'processes', says: `its parent ${o.proc.ppid} is dockerd; argv: ${o.proc.argv.join(' ')}` },
            {
              fact: 'containers',
              says: `${o.container.name} (${o.container.state}) has IP ${o.args?.containerIp ?? '?'}`,
            },
          ],
          data: {
            reuseDependent: c.reuseDependent,
            container: containerLabel(o.container),
            held: displayBind(c.socket),
            requested: displayBind(c.requested),
            containerId: o.container.id,
            containerName: o.container.name,
            composeProject: o.container.composeProject,
            composeService: o.container.composeService,
            stage: 'userland-proxy',
          },
        });
      }
    }
    return out;
  },
});
