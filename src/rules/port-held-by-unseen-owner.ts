// Not root: /proc/<pid>/fd of other users cannot be read, so a socket's owner stays unknown.
// Say exactly that (its uid is known from /proc/net) rather than guessing a cause.
import { displayBind } from './holders.js';
import { defineRule, type FindingDraft } from './types.js';

export const portHeldByUnseenOwner = defineRule({
  meta: {
    id: 'port-held-by-unseen-owner',
    cause: 'unknown',
    description: 'A socket overlaps the requested bind but its owning process could not be seen.',
    requires: ['sockets'],
  },
  check({ index, snap }) {
    const out: FindingDraft[] = [];
    const root = snap.host.ok && snap.host.value.uid === 0;
    const hint = root
      ? 'no visible process holds it: it may live in another PID namespace or be kernel-owned'
      : 'its process could not be seen (run as root to name it)';
    for (const c of index.conflicts) {
      if (!c.owners.every((o) => o.kind === 'unseen')) continue;
      out.push({
        cause: 'unknown',
        severity: 'error',
        confidence: 'possible',
        message: `Something owned by uid ${c.socket.uid} holds ${displayBind(c.socket)}, which overlaps ${displayBind(c.requested)}, but ${hint}.`,
        holders: [],
        evidence: [
          {
            fact: 'sockets',
            says: `${c.socket.state} ${displayBind(c.socket)} uid ${c.socket.uid} inode ${c.socket.inode}, no readable owner`,
          },
        ],
        data: { uid: c.socket.uid, heldIp: c.socket.ip, requestedIp: c.requested.ip },
      });
    }
    return out;
  },
});
