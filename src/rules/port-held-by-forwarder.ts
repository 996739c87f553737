// Rootless Docker and Podman: the published port is held in the real host namespace by a port
// forwarder — rootlesskit (builtin driver), slirp4netns, pasta, Podman's rootlessport, or conmon
// (rootful Podman) — not by docker-proxy. The container behind it is the holder.
import { containerHolder, describeOwner, displayBind, processHolder, sockBind } from './holders.js';
import { conflictConfidence, ownersOfKind } from '../snapshot/index.js';
import { FORWARDERS, HOST_RULE_MESSAGES, UNKNOWN_FORWARDER } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const portHeldByForwarder = defineRule({
  meta: {
    id: 'port-held-by-forwarder',
    cause: 'container',
    description: 'A rootless or Podman port forwarder holds the port for a container.',
    requires: ['sockets', 'processes'],
    messages: HOST_RULE_MESSAGES['port-held-by-forwarder'],
  },
  check({ index }) {
    const out: FindingDraft[] = [];
    for (const { c, o } of ownersOfKind(index, 'forwarder')) {
      out.push({
        severity: 'error',
        confidence: o.container ? conflictConfidence(c) : 'likely',
        messageId: o.container ? 'forContainer' : 'forOtherEngine',
        holders: [
          o.container
            ? containerHolder(o.container, sockBind(c.socket), o.proc)
            : processHolder(o.proc, sockBind(c.socket)),
        ],
        evidence: [
          { fact: 'sockets', says: `${c.socket.state} ${displayBind(c.socket)}` },
          {
            fact: 'processes',
            says: `pid ${o.proc.pid} ${o.proc.comm} (uid ${o.proc.uid ?? '?'}): ${o.proc.argv.join(' ')}`,
          },
        ],
        data: {
          reuseDependent: c.reuseDependent,
          owner: describeOwner(o),
          what: FORWARDERS[o.proc.comm] ?? UNKNOWN_FORWARDER,
          held: displayBind(c.socket),
          requested: displayBind(c.requested),
          container: o.container ? `${o.container.name} [${o.container.id.slice(0, 12)}]` : null,
          uid: o.proc.uid ?? '?',
          pid: o.proc.pid,
          comm: o.proc.comm,
          containerId: o.container?.id ?? o.proc.containerId,
          containerName: o.container?.name ?? null,
          stage: 'rootless-port-driver',
        },
      });
    }
    return out;
  },
});
