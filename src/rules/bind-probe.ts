// The bind probe's answer (src/collect/probe.ts): the kernel was asked the engine's own bind. This
// rule reports it (info, with an evidence line per bind) and names the model's holders the kernel
// did not weigh: where they disagree the verdict follows the kernel (src/verdict.ts), not `certain`.
import type { Evidence, ProbedBind } from '../model.js';
import type { SnapshotIndex } from '../snapshot/index.js';
import { describeOwner, displayBind } from './holders.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export function probeLine(b: ProbedBind, binder: string): string {
  const opts = [b.reuseAddr ? 'SO_REUSEADDR' : 'no SO_REUSEADDR', ...(b.v6only ? ['IPV6_V6ONLY'] : [])].join(', ');
  const said = b.outcome === 'free' ? 'bound (free), closed at once' : `${b.errno ?? b.outcome} (${b.outcome})`;
  return `bind ${displayBind(b)} as ${binder} would (${opts}), no listen: ${said}`;
}

/** the probe's answers for the requested binds, and their evidence lines */
export function probed(index: SnapshotIndex): { asked: ProbedBind[]; evidence: Evidence[] } {
  const asked = index.requested.flatMap((b) => {
    const r = index.probeOf(b);
    return r ? [r] : [];
  });
  const binder = index.probe?.binder ?? '?';
  return { asked, evidence: asked.map((b) => ({ fact: 'probe' as const, says: probeLine(b, binder) })) };
}

export const bindProbe = defineRule({
  meta: {
    id: 'bind-probe',
    cause: 'port-free',
    description: "The kernel's answer to the engine's own bind of the port, weighed against the sockets seen.",
    requires: [],
    messages: HOST_RULE_MESSAGES['bind-probe'],
  },
  check({ index }) {
    const p = index.probe;
    if (!p) return [];
    const { asked, evidence } = probed(index);
    if (asked.length === 0) return [];
    const overruled = index.clearedByProbe.filter((c) => c.overlap === 'yes' && !c.reuseDependent);
    const lifted = index.clearedByProbe.filter((c) => c.reuseDependent);
    const subject = index.requested[0];
    const out: FindingDraft[] = [
      {
        severity: 'info',
        confidence: overruled.length ? 'likely' : 'certain',
        messageId: 'accepted',
        holders: [],
        evidence: [
          ...evidence,
          ...p.skipped
            .filter((s) => s.port === subject?.port && s.proto === subject?.proto)
            .map((s) => ({ fact: 'probe' as const, says: `not probed: ${s.ip} (${s.why})` })),
        ],
        data: {
          accepted: asked.filter((b) => b.outcome === 'free').length,
          asked: asked.length,
          binder: p.binder,
          engine: p.engine,
          overruled: overruled.length
            ? overruled
                .map(
                  (c) =>
                    `${describeOwner(c.owners[0] ?? { kind: 'unseen', uid: c.socket.uid })} on ${displayBind(c.socket)}`,
                )
                .join(', ')
            : null,
          lifted: lifted.length ? lifted.map((c) => `${c.socket.state} ${displayBind(c.socket)}`).join(', ') : null,
          disagrees: overruled.length > 0,
          allFree: asked.every((b) => b.outcome === 'free'),
        },
      },
    ];
    return out;
  },
});
