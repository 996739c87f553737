// Not root: /proc/<pid>/fd of other users cannot be read, so a socket's owner stays unknown.
// Say exactly that (its uid is known from /proc/net) rather than guessing a cause.
import { displayBind } from './holders.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const portHeldByUnseenOwner = defineRule({
  meta: {
    id: 'port-held-by-unseen-owner',
    cause: 'unknown',
    description: 'A socket overlaps the requested bind but its owning process could not be seen.',
    requires: ['sockets'],
    messages: HOST_RULE_MESSAGES['port-held-by-unseen-owner'],
  },
  check({ index, snap }) {
    const out: FindingDraft[] = [];
    const root = snap.host.ok && snap.host.value.uid === 0;
    for (const c of index.conflicts) {
      if (!c.owners.every((o) => o.kind === 'unseen')) continue;
      if (c.socket.state === 'TIME-WAIT') {
        // no process owns a TIME-WAIT: the kernel keeps it for up to 60 s after a connection closed
        out.push({
          severity: 'error',
          confidence: 'possible',
          messageId: 'timeWait',
          holders: [],
          evidence: [{ fact: 'probe', says: `TIME-WAIT ${displayBind(c.socket)}, no owning process (kernel-held)` }],
          data: {
            held: displayBind(c.socket),
            requested: displayBind(c.requested),
            uid: c.socket.uid,
            heldIp: c.socket.ip,
            requestedIp: c.requested.ip,
          },
        });
        continue;
      }
      out.push({
        severity: 'error',
        confidence: 'possible',
        messageId: root ? 'hiddenFromRoot' : 'notRoot',
        holders: [],
        evidence: [
          {
            fact: 'sockets',
            says: `${c.socket.state} ${displayBind(c.socket)} uid ${c.socket.uid} inode ${c.socket.inode}, no readable owner`,
          },
        ],
        data: {
          held: displayBind(c.socket),
          requested: displayBind(c.requested),
          uid: c.socket.uid,
          heldIp: c.socket.ip,
          requestedIp: c.requested.ip,
        },
      });
    }
    return out;
  },
});
