// Holder records (the contract's `holders`) built from index entries.
import type { Bind, Container, DnatRule, Evidence, Holder, NatOwnerRecord, Proc } from '../model.js';
import type { Conflict, SnapshotIndex, SocketOwner } from '../snapshot/index.js';
import { displayBind } from '../util/ip.js';

export function processHolder(p: Proc, bind: Bind): Holder {
  return { kind: 'process', pid: p.pid, comm: p.comm, argv: p.argv, unit: p.unit, bind };
}

export function containerHolder(c: Container, bind: Bind, proc?: Proc): Holder {
  const h = {
    kind: 'container' as const,
    id: c.id,
    name: c.name,
    state: c.state,
    composeProject: c.composeProject,
    composeService: c.composeService,
    bind,
  };
  return proc ? { ...h, pid: proc.pid, comm: proc.comm } : h;
}

export function ruleHolder(r: DnatRule, owner?: NatOwnerRecord): Holder {
  return {
    kind: 'rule',
    backend: r.backend,
    family: r.family,
    table: r.table,
    chain: r.chain,
    rule: r.text,
    handle: r.handle,
    toIp: r.toIp,
    toPort: r.toPort,
    ...(owner ? { owner } : {}),
  };
}

export function describeOwner(o: SocketOwner): string {
  switch (o.kind) {
    case 'unseen':
      return `an unseen process (uid ${o.uid})`;
    case 'docker-proxy':
      return `docker-proxy (pid ${o.proc.pid}, parent ${o.proc.ppid})`;
    default:
      return `${o.proc.comm} (pid ${o.proc.pid})`;
  }
}

export function sockBind(s: { proto: Bind['proto']; ip: string; port: number; v6only?: boolean | null }): Bind {
  return { proto: s.proto, ip: s.ip, port: s.port, v6only: s.v6only ?? null };
}

export function containerLabel(c: Container): string {
  const compose = c.composeProject ? ` (compose ${c.composeProject}/${c.composeService ?? '?'})` : '';
  return `${c.name || c.id.slice(0, 12)} [${c.id.slice(0, 12)}]${compose}`;
}

export { displayBind };

/** The bind probe's answer for a conflict's requested bind, as an evidence line (none when not probed). */
export function probeEvidence(index: SnapshotIndex, c: Conflict): Evidence[] {
  const b = index.probeOf(c.requested);
  if (!b || !index.probe) return [];
  const said = b.outcome === 'free' ? 'bound' : (b.errno ?? b.outcome);
  return [
    {
      fact: 'probe',
      says: `bind ${displayBind(b)} as ${index.probe.binder} would (${b.reuseAddr ? 'SO_REUSEADDR' : 'no SO_REUSEADDR'}), no listen: ${said}`,
    },
  ];
}
