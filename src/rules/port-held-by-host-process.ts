// Lab: host-process and its loopback / v6only / v6dual / udp variants. A process of the host holds
// an overlapping socket, so docker-proxy's (or, from 28.0, dockerd's) bind fails with EADDRINUSE.
import { describeOwner, displayBind, processHolder, sockBind } from './holders.js';
import { ownersOfKind } from '../snapshot/index.js';
import { defineRule, type FindingDraft } from './types.js';

export const portHeldByHostProcess = defineRule({
  meta: {
    id: 'port-held-by-host-process',
    cause: 'host-process',
    description: 'A host process (not Docker, not in a container) holds a socket that overlaps the requested bind.',
    requires: ['sockets', 'processes'],
  },
  check({ index }) {
    const out: FindingDraft[] = [];
    for (const { c, o } of ownersOfKind(index, 'process')) {
      const dual = c.socket.family === 6 && c.socket.ip === '::' && c.requested.ip.indexOf(':') < 0;
      const how = dual
        ? c.overlap === 'yes'
          ? ' (a dual-stack [::] socket also covers IPv4)'
          : ' (a [::] socket whose IPV6_V6ONLY flag could not be read: it covers IPv4 unless it is v6-only)'
        : '';
      out.push({
        cause: 'host-process',
        severity: 'error',
        confidence: c.overlap === 'yes' ? 'certain' : 'likely',
        message: `${describeOwner(o)} on the host holds ${displayBind(c.socket)}${how}, so the kernel refuses Docker's bind of ${displayBind(c.requested)} ("address already in use").`,
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
        ],
        data: {
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
