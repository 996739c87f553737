// --against-host: would this publish be refused (or hijacked) on THIS host right now? Reuses the
// rules' findings on the snapshot its collectors took, and names the holder. Containers of the
// same compose project are not a clash: redeploying replaces them.
import { portFindings } from '../../port-query.js';
import type { Holder } from '../../model.js';
import { COMPOSE_RULE_MESSAGES } from './messages.js';
import { defineComposeRule, type ProblemDraft } from './types.js';

function holderText(h: Holder): string {
  switch (h.kind) {
    case 'process':
      return `${h.comm} (pid ${h.pid})`;
    case 'docker-proxy':
      return `docker-proxy (pid ${h.pid})`;
    case 'container':
      return `container ${h.name}${h.composeProject ? ` (compose ${h.composeProject}/${h.composeService})` : ''}`;
    case 'rule':
      return `a DNAT rule in ${h.backend} ${h.table}/${h.chain} → ${h.toIp}`;
  }
}

export const hostPortInUse = defineComposeRule({
  meta: {
    id: 'host-port-in-use',
    severity: 'error',
    description: 'The host port is already held on this host (listener, container, or DNAT rule).',
    needsHost: true,
    messages: COMPOSE_RULE_MESSAGES['host-port-in-use'],
  },
  check(ctx) {
    const snap = ctx.host;
    if (!snap) return [];
    const out: ProblemDraft<'taken'>[] = [];
    for (const p of ctx.projects)
      for (const s of p.services)
        for (const b of s.bindings) {
          if (b.hostPort === 'ephemeral') continue;
          for (let port = b.hostPort.start; port <= b.hostPort.end && port - b.hostPort.start < 64; port++) {
            // (a non-info finding is what makes a verdict other than port-free)
            const real = portFindings(snap, { proto: b.proto, ip: b.hostIp, port }).findings.filter(
              (f) =>
                f.severity !== 'info' && !f.holders.some((h) => h.kind === 'container' && h.composeProject === p.name),
            );
            if (!real.length) continue;
            const f = real[0]!;
            const holder = f.holders[0];
            out.push({
              ...b.at,
              messageId: 'taken',
              data: {
                holderText: holder ? holderText(holder) : 'something unseen',
                finding: f.message,
                proto: b.proto,
                hostIp: b.hostIp,
                port,
                services: [s.name],
                cause: f.cause,
                holder: holder ?? null,
              },
            });
            break;
          }
        }
    return out;
  },
});
