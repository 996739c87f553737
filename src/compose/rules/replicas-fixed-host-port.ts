// `deploy.replicas` / `scale` > 1 with a fixed host port: every replica asks for the same port
// (compose v1 even warns "the port will clash"). A host range at least as large as the replica
// count is fine: Compose hands each replica one port of it.
import type { ComposeRule, ProblemDraft } from './types.js';

export const replicasFixedHostPort: ComposeRule = {
  meta: {
    id: 'replicas-fixed-host-port',
    severity: 'error',
    description: 'A service with several replicas publishes a fixed host port.',
  },
  check(ctx) {
    const out: ProblemDraft[] = [];
    for (const p of ctx.projects)
      for (const s of p.services) {
        if (s.replicas <= 1) continue;
        for (const b of s.bindings) {
          if (b.hostPort === 'ephemeral' || b.hostNetwork) continue;
          const size = b.hostPort.end - b.hostPort.start + 1;
          if (size >= s.replicas) continue;
          out.push({
            ...b.at,
            message: `service ${s.name} runs ${s.replicas} replicas${s.replicasAt ? ` (line ${s.replicasAt.line})` : ''} but publishes host port ${b.hostPort.start}${size > 1 ? `-${b.hostPort.end}` : ''}/${b.proto}: only ${size} can bind it; publish a range of ${s.replicas} ports or drop the host port`,
            data: {
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
};
