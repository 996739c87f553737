// The kernel refused the engine's own bind (the bind probe) and no socket on the port, in any state,
// overlaps it: say so, with what was looked at, rather than call the port free or guess a holder.
import { displayBind } from './holders.js';
import { probed } from './bind-probe.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const bindRefusedUnexplained = defineRule({
  meta: {
    id: 'bind-refused-unexplained',
    cause: 'unknown',
    description: "The kernel refused the engine's bind, but no socket on the port explains it.",
    requires: [],
    messages: HOST_RULE_MESSAGES['bind-refused-unexplained'],
  },
  check({ index }) {
    const p = index.probe;
    if (!p) return [];
    const { asked, evidence } = probed(index);
    const out: FindingDraft[] = [];
    for (const b of asked) {
      if (b.outcome !== 'in-use' || index.conflicts.some((c) => c.requested.ip === b.ip)) continue;
      const others = p.portSockets.filter((s) => s.proto === b.proto && s.port === b.port);
      out.push({
        severity: 'error',
        confidence: 'possible',
        messageId: 'unexplained',
        holders: [],
        evidence,
        data: {
          binder: p.binder,
          bind: displayBind(b),
          errno: b.errno,
          looked: p.looked.join('; '),
          others: others.length ? others.map((s) => `${s.state} ${displayBind(s)}`).join(', ') : null,
          ip: b.ip,
          stage: index.semantics?.bindStage ?? 'host-bind',
        },
      });
    }
    return out;
  },
});
