// Lab: host-process and its loopback / v6only / v6dual / udp variants. A process of the host holds
// an overlapping socket, so docker-proxy's (or, from 28.0, dockerd's) bind fails with EADDRINUSE.
import { describeOwner, displayBind, probeEvidence, processHolder, sockBind } from './holders.js';
import { conflictConfidence, ownersOfKind } from '../snapshot/index.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const portHeldByHostProcess = defineRule({
  meta: {
    id: 'port-held-by-host-process',
    cause: 'host-process',
    description: 'A host process (not Docker, not in a container) holds a socket that overlaps the requested bind.',
    requires: ['sockets', 'processes'],
    messages: HOST_RULE_MESSAGES['port-held-by-host-process'],
  },
  check({ index }) {
    const out: FindingDraft[] = [];
    for (const { c, o } of ownersOfKind(index, 'process')) {
      const dual = c.socket.family === 6 && c.socket.ip === '::' && c.requested.ip.indexOf(':') < 0;
      out.push({
        severity: 'error',
        confidence: conflictConfidence(c),
        messageId: 'held',
        holders: [processHolder(o.proc, sockBind(c.socket))],
        evidence: [
          {
            fact: 'sockets',
            says: `${c.socket.state} ${displayBind(c.socket)}${c.socket.family === 6 && c.socket.ip === '::' ? ` v6only=${String(c.socket.v6only)}` : ''} inode ${c.socket.inode}`,
          },
          {
            fact: 'processes',
            says: `pid ${o.proc.pid} ${o.proc.comm}: ${o.proc.argv.join(' ')}; cgroup ${o.proc.cgroup || '?'}${o.proc.unit ? `; unit ${o.proc.unit}` : ''}`,
          },
          ...probeEvidence(index, c),
        ],
        data: {
          reuseDependent: c.reuseDependent,
          owner: describeOwner(o),
          held: displayBind(c.socket),
          requested: displayBind(c.requested),
          dualStack: dual && c.overlap === 'yes',
          maybeDualStack: dual && c.overlap !== 'yes',
          pid: o.proc.pid,
          comm: o.proc.comm,
          unit: o.proc.unit,
          heldIp: c.socket.ip,
          requestedIp: c.requested.ip,
          stage: 'userland-proxy',
        },
      });
    }
    return out;
  },
});
