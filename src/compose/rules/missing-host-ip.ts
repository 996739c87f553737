// A published host port without an explicit host IP binds 0.0.0.0 AND [::]: every interface.
import type { ComposeRule, ProblemDraft } from './types.js';
import { SENSITIVE } from './sensitive-port-on-all-interfaces.js';

export const missingHostIp: ComposeRule = {
  meta: {
    id: 'missing-host-ip',
    severity: 'warning',
    description: 'A published host port has no explicit host IP (it binds every interface, IPv4 and IPv6).',
  },
  check(ctx) {
    const out: ProblemDraft[] = [];
    for (const p of ctx.projects)
      for (const s of p.services)
        for (const b of s.bindings) {
          if (b.hostPort === 'ephemeral' || b.hostIp !== null || b.hostNetwork) continue;
          if (SENSITIVE[b.containerPort.start]) continue; // said more precisely by sensitive-port-on-all-interfaces
          out.push({
            ...b.at,
            message: `service ${s.name} publishes host port ${b.hostPort.start}/${b.proto} with no host IP: it binds 0.0.0.0 and [::]; name the address ("0.0.0.0:${b.hostPort.start}:…" or "127.0.0.1:…") to make that a decision`,
            data: { proto: b.proto, hostIp: null, port: b.hostPort.start, services: [s.name] },
          });
        }
    return out;
  },
};
