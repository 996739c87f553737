// `deploy.replicas` / `scale` > 1 with a fixed host port: every replica asks for the same port
// (compose v1 even warns "the port will clash"). A host range at least as large as the replica
// count is fine: Compose hands each replica one port of it.
import { COMPOSE_RULE_MESSAGES } from './messages.js';
import { defineComposeRule, type ProblemDraft } from './types.js';

export const replicasFixedHostPort = defineComposeRule({
  meta: {
    id: 'replicas-fixed-host-port',
    severity: 'error',
    description: 'A service with several replicas publishes a fixed host port.',
    messages: COMPOSE_RULE_MESSAGES['replicas-fixed-host-port'],
  },
  check(ctx) {
    const out: ProblemDraft<'tooFewPorts'>[] = [];
    for (const p of ctx.projects)
      for (const s of p.services) {
        if (s.replicas <= 1) continue;
        for (const b of s.bindings) {
          if (b.hostPort === 'ephemeral' || b.hostNetwork) continue;
          const size = b.hostPort.end - b.hostPort.start + 1;
          if (size >= s.replicas) continue;
          out.push({
            ...b.at,
            messageId: 'tooFewPorts',
            data: {
              service: s.name,
              replicasLine: s.replicasAt ? s.replicasAt.line : null,
              ports: size > 1 ? `${b.hostPort.start}-${b.hostPort.end}` : String(b.hostPort.start),
              size,
              proto: b.proto,
              hostIp: b.hostIp,
              port: b.hostPort.start,
              services: [s.name],
              replicas: s.replicas,
            },
          });
        }
      }
    return out;
  },
});
