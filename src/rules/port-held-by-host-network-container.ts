// Lab: host-network-container. A `--network host` container binds the host port directly: `docker
// ps` shows no Ports for it, `ss` shows the app (not docker-proxy), and only its cgroup
// (/docker/<id>) and parent (containerd-shim) betray the container.
import { containerHolder, describeOwner, displayBind, processHolder, sockBind } from './holders.js';
import { conflictConfidence, ownersOfKind } from '../snapshot/index.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const portHeldByHostNetworkContainer = defineRule({
  meta: {
    id: 'port-held-by-host-network-container',
    cause: 'host-network-container',
    description: 'A process of a --network host container holds an overlapping socket in the host namespace.',
    requires: ['sockets', 'processes'],
    messages: HOST_RULE_MESSAGES['port-held-by-host-network-container'],
  },
  check({ index }) {
    const out: FindingDraft[] = [];
    for (const { c, o } of ownersOfKind(index, 'container-process')) {
      out.push({
        severity: 'error',
        confidence: conflictConfidence(c),
        messageId: 'holds',
        holders: [
          o.container
            ? containerHolder(o.container, sockBind(c.socket), o.proc)
            : processHolder(o.proc, sockBind(c.socket)),
        ],
        evidence: [
          { fact: 'sockets', says: `${c.socket.state} ${displayBind(c.socket)}` },
          {
            fact: 'processes',
            says: `pid ${o.proc.pid} ${o.proc.comm}, cgroup ${o.proc.cgroup}, netns ${o.proc.netns ?? '?'}`,
          },
          ...(o.container
            ? [
                {
                  fact: 'containers' as const,
                  says: `${o.container.name} NetworkMode=${o.container.networkMode}, state ${o.container.state}`,
                },
              ]
            : []),
        ],
        data: {
          reuseDependent: c.reuseDependent,
          owner: describeOwner(o),
          held: displayBind(c.socket),
          shortId: (o.container?.id ?? o.proc.containerId)?.slice(0, 12) ?? 'undefined',
          containerId: o.container?.id ?? o.proc.containerId,
          containerName: o.container?.name ?? null,
          pid: o.proc.pid,
          comm: o.proc.comm,
          composeProject: o.container?.composeProject ?? null,
          composeService: o.container?.composeService ?? null,
          stage: 'userland-proxy',
        },
      });
    }
    return out;
  },
});
