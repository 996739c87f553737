// The same host port published twice, across services, merged files and projects linted together,
// keyed as dockerd and the kernel key it (see overlap.ts). "8080" (container port only) never clashes.
import { displayAddr } from '../../util/ip.js';
import { bindingsCollide } from '../overlap.js';
import type { ComposeBinding } from '../types.js';
import { COMPOSE_RULE_MESSAGES } from './messages.js';
import { allBindings, defineComposeRule, type ProblemDraft } from './types.js';

const where = (b: ComposeBinding): string =>
  `${b.project !== '' ? `${b.project}/` : ''}${b.service} (${b.file}:${b.at.line})`;
const ipText = (b: ComposeBinding): string => (b.hostIp === null ? '0.0.0.0 and [::]' : b.hostIp);

export const duplicateHostPort = defineComposeRule({
  meta: {
    id: 'duplicate-host-port',
    severity: 'error',
    description: 'A host port is published by two bindings whose host IPs overlap.',
    messages: COMPOSE_RULE_MESSAGES['duplicate-host-port'],
  },
  check(ctx) {
    const out: ProblemDraft<keyof (typeof COMPOSE_RULE_MESSAGES)['duplicate-host-port']>[] = [];
    const all = allBindings(ctx).filter(({ b }) => b.hostPort !== 'ephemeral');
    // bucket by proto+port so 200 services do not make a quadratic pass over every pair
    const buckets = new Map<string, { b: ComposeBinding }[]>();
    for (const e of all) {
      const hp = e.b.hostPort as { start: number; end: number };
      for (let p = hp.start; p <= hp.end && p - hp.start < 4096; p++) {
        const k = `${e.b.proto}/${p}`;
        if (!buckets.has(k)) buckets.set(k, []);
        buckets.get(k)?.push(e);
      }
    }
    const reported = new Set<ComposeBinding>();
    for (const list of buckets.values()) {
      for (let i = 1; i < list.length; i++) {
        const b = list[i]!.b;
        if (reported.has(b)) continue;
        for (let j = 0; j < i; j++) {
          const a = list[j]!.b;
          if (a === b) continue;
          const port = bindingsCollide(a, b);
          if (port === null) continue;
          reported.add(b);
          const same = a.service === b.service && a.project === b.project;
          out.push({
            ...b.at,
            messageId: a.hostIp === b.hostIp ? 'sameHostIp' : 'overlappingHostIp',
            data: {
              bind: displayAddr(b.hostIp ?? '0.0.0.0', port),
              bothFamilies: b.hostIp === null,
              sameService: same,
              other: where(a),
              otherIp: ipText(a),
              proto: b.proto,
              hostIp: b.hostIp,
              port,
              services: [a.service, b.service],
              projects: [a.project, b.project],
            },
          });
          break;
        }
      }
    }
    return out;
  },
});
