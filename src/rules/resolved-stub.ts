// Lab: resolved-stub. systemd-resolved listens on 127.0.0.53:53 (udp+tcp); `-p 53:53` binds the
// wildcard, which overlaps it. `-p 127.0.0.1:53:53` (or another host IP) avoids it without
// disabling the stub.
import { displayBind, probeEvidence, processHolder, sockBind } from './holders.js';
import { conflictConfidence, ownersOfKind } from '../snapshot/index.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const resolvedStub = defineRule({
  meta: {
    id: 'resolved-stub',
    cause: 'resolved-stub',
    description:
      "systemd-resolved's stub listener holds port 53 on a loopback address that the requested bind overlaps.",
    requires: ['sockets', 'processes'],
    messages: HOST_RULE_MESSAGES['resolved-stub'],
  },
  check({ index }) {
    const out: FindingDraft[] = [];
    for (const { c, o } of ownersOfKind(index, 'resolved-stub')) {
      out.push({
        severity: 'error',
        confidence: conflictConfidence(c),
        messageId: 'stub',
        holders: [processHolder(o.proc, sockBind(c.socket))],
        evidence: [
          { fact: 'sockets', says: `${c.socket.state} ${displayBind(c.socket)}` },
          {
            fact: 'processes',
            says: `pid ${o.proc.pid} comm ${o.proc.comm}${o.proc.unit ? ` unit ${o.proc.unit}` : ''}`,
          },
          ...probeEvidence(index, c),
        ],
        data: {
          reuseDependent: c.reuseDependent,
          held: displayBind(c.socket),
          requested: displayBind(c.requested),
          pid: o.proc.pid,
          comm: o.proc.comm,
          unit: o.proc.unit ?? 'systemd-resolved.service',
          heldIp: c.socket.ip,
          stage: 'userland-proxy',
        },
      });
    }
    return out;
  },
});
