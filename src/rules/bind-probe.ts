// The bind probe's verdict (src/collect/probe.ts): the kernel was asked the engine's own bind. A
// refusal that no socket explains is said as such, with what was looked at; a bind the kernel
// accepted although the model saw a holder is a disagreement, and the verdict follows the kernel.
import type { ProbedBind } from '../model.js';
import { describeOwner, displayBind } from './holders.js';
import type { FindingDraft, Rule } from './types.js';

function probeLine(b: ProbedBind, binder: string): string {
  const opts = [b.reuseAddr ? 'SO_REUSEADDR' : 'no SO_REUSEADDR', ...(b.v6only ? ['IPV6_V6ONLY'] : [])].join(', ');
  const said = b.outcome === 'free' ? 'bound (free), closed at once' : `${b.errno ?? b.outcome} (${b.outcome})`;
  return `bind ${displayBind(b)} as ${binder} would (${opts}), no listen: ${said}`;
}

export const bindProbe: Rule = {
  meta: {
    id: 'bind-probe',
    cause: 'unknown',
    description: "The kernel's answer to the engine's own bind of the port, weighed against the sockets seen.",
    requires: [],
  },
  check({ index }) {
    const p = index.probe;
    if (!p) return [];
    const asked = index.requested.flatMap((b) => {
      const r = index.probeOf(b);
      return r ? [r] : [];
    });
    if (asked.length === 0) return [];
    const evidence = asked.map((b) => ({ fact: 'probe' as const, says: probeLine(b, p.binder) }));
    const out: FindingDraft[] = [];
    for (const b of asked) {
      if (b.outcome !== 'in-use' || index.conflicts.some((c) => c.requested.ip === b.ip)) continue;
      const others = p.portSockets.filter((s) => s.proto === b.proto && s.port === b.port);
      const seen = others.length
        ? `; on port ${b.port}/${b.proto} there are only ${others.map((s) => `${s.state} ${displayBind(s)}`).join(', ')}, none of which overlaps it`
        : '';
      out.push({
        cause: 'unknown',
        severity: 'error',
        confidence: 'possible',
        message: `The kernel refused ${p.binder}'s bind of ${displayBind(b)} (${b.errno}), but no socket holding it could be found: looked at ${p.looked.join('; ')}${seen}. It may be held in another network namespace's view of this one, or by a socket this host cannot list.`,
        holders: [],
        evidence,
        data: { ip: b.ip, errno: b.errno, stage: index.semantics?.bindStage ?? 'host-bind' },
      });
    }
    // the model's holders that the kernel did not weigh: the probe wins, and says so
    const overruled = index.clearedByProbe.filter((c) => c.overlap === 'yes' && !c.reuseDependent);
    const lifted = index.clearedByProbe.filter((c) => c.reuseDependent);
    const notes: string[] = [];
    if (overruled.length)
      notes.push(
        `the model expected ${overruled.map((c) => `${describeOwner(c.owners[0] ?? { kind: 'unseen', uid: c.socket.uid })} on ${displayBind(c.socket)}`).join(', ')} to refuse it, but the kernel accepted the bind (the holder may have just gone, or set options the model cannot see)`,
      );
    if (lifted.length)
      notes.push(
        `${lifted.map((c) => `${c.socket.state} ${displayBind(c.socket)}`).join(', ')} can share the port with ${p.binder}'s socket (both set SO_REUSEADDR)`,
      );
    out.push({
      cause: 'port-free',
      severity: 'info',
      confidence: overruled.length ? 'likely' : 'certain',
      message: `The kernel accepted ${asked.filter((b) => b.outcome === 'free').length} of ${asked.length} test binds as ${p.binder} would make them (${p.engine})${notes.length ? `; ${notes.join('; ')}` : ''}.`,
      holders: [],
      evidence: [
        ...evidence,
        ...p.skipped
          .filter((s) => s.port === index.requested[0]?.port && s.proto === index.requested[0]?.proto)
          .map((s) => ({ fact: 'probe' as const, says: `not probed: ${s.ip} (${s.why})` })),
      ],
      data: {
        disagrees: overruled.length > 0,
        allFree: asked.every((b) => b.outcome === 'free'),
        engine: p.engine,
      },
    });
    return out;
  },
};
