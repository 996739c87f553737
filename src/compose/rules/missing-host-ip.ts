// A published host port without an explicit host IP binds 0.0.0.0 AND [::]: every interface.
import { COMPOSE_RULE_MESSAGES } from './messages.js';
import { defineComposeRule, type ProblemDraft } from './types.js';
import { SENSITIVE } from './sensitive-port-on-all-interfaces.js';

export const missingHostIp = defineComposeRule({
  meta: {
    id: 'missing-host-ip',
    severity: 'warning',
    description: 'A published host port has no explicit host IP (it binds every interface, IPv4 and IPv6).',
    messages: COMPOSE_RULE_MESSAGES['missing-host-ip'],
  },
  check(ctx) {
    const out: ProblemDraft<'noHostIp'>[] = [];
    for (const p of ctx.projects)
      for (const s of p.services)
        for (const b of s.bindings) {
          if (b.hostPort === 'ephemeral' || b.hostIp !== null || b.hostNetwork) continue;
          if (SENSITIVE[b.containerPort.start]) continue; // said more precisely by sensitive-port-on-all-interfaces
          out.push({
            ...b.at,
            messageId: 'noHostIp',
            data: { proto: b.proto, hostIp: null, port: b.hostPort.start, services: [s.name], service: s.name },
          });
        }
    return out;
  },
});
