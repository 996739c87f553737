// "8080" alone publishes the container port on a RANDOM host port (it is not host port 8080): fine for
// tests, surprising for a service others must reach at a known address.
import { COMPOSE_RULE_MESSAGES } from './messages.js';
import { defineComposeRule, type ProblemDraft } from './types.js';
import { SENSITIVE } from './sensitive-port-on-all-interfaces.js';

const KNOWN = new Set([
  21, 22, 25, 53, 80, 110, 143, 443, 465, 587, 993, 995, 1883, 3000, 5000, 8000, 8080, 8443, 8883, 9000,
]);

export const dynamicHostPort = defineComposeRule({
  meta: {
    id: 'dynamic-host-port',
    severity: 'warning',
    description: 'A well-known service port is published on a random host port.',
    messages: COMPOSE_RULE_MESSAGES['dynamic-host-port'],
  },
  check(ctx) {
    const out: ProblemDraft<'randomHostPort'>[] = [];
    for (const p of ctx.projects)
      for (const s of p.services)
        for (const b of s.bindings) {
          if (b.hostPort !== 'ephemeral' || b.hostNetwork) continue;
          const c = b.containerPort.start;
          if (!KNOWN.has(c) && !SENSITIVE[c]) continue;
          out.push({
            ...b.at,
            messageId: 'randomHostPort',
            data: { proto: b.proto, hostIp: b.hostIp, port: c, services: [s.name], service: s.name },
          });
        }
    return out;
  },
});
