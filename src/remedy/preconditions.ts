// Re-check a plan's preconditions against a FRESH snapshot (the one it was planned from may be
// stale). Pure: the executor collects, this judges. Unknown is treated as "changed": refuse.
import type { DnatRule, Precondition, Snapshot } from '../model.js';
import { natOwner, ownerContext } from '../owners/nat-owner.js';
import { firewallViews } from '../snapshot/index.js';

export interface CheckResult {
  readonly ok: boolean;
  readonly why: string;
}

function sameRule(r: DnatRule, p: Extract<Precondition, { kind: 'dnat-present' | 'dnat-orphan' }>): boolean {
  if (r.backend !== p.backend || r.family !== p.family || r.table !== p.table || r.chain !== p.chain) return false;
  if (r.toIp !== p.toIp || p.dport < r.dport || p.dport > r.dportEnd) return false;
  if (p.handle !== null) return r.handle === p.handle;
  return p.spec !== null && r.spec !== null && r.spec.join('\0') === p.spec.join('\0');
}

export function checkPrecondition(p: Precondition, snap: Snapshot): CheckResult {
  switch (p.kind) {
    case 'dnat-present': {
      const views = firewallViews(snap).filter((v) => v.backend === p.backend);
      if (!views.length)
        return { ok: false, why: `cannot read ${p.backend} rules now, so the rule cannot be confirmed` };
      const found = views.some((v) => v.dnat.some((r) => sameRule(r, p)));
      return found
        ? { ok: true, why: `the rule is still in ${p.backend} ${p.table} ${p.chain}` }
        : {
            ok: false,
            why: `the rule (${p.backend} ${p.family} ${p.table} ${p.chain}${p.handle !== null ? ` handle ${p.handle}` : ''} → ${p.toIp}) is no longer there: someone changed the rules since the plan was made`,
          };
    }
    case 'dnat-orphan': {
      const rule = firewallViews(snap)
        .filter((v) => v.backend === p.backend)
        .flatMap((v) => v.dnat)
        .find((r) => sameRule(r, p));
      if (!rule)
        return { ok: false, why: `the rule (${p.backend} ${p.table} ${p.chain} → ${p.toIp}) is not there now` };
      const j = natOwner(rule, ownerContext(snap));
      return j.proven
        ? { ok: true, why: `still an orphan: ${j.owner.why}` }
        : { ok: false, why: `no longer proven an orphan: ${j.owner.why}` };
    }
    case 'ip-not-live': {
      if (!snap.containers.ok)
        return {
          ok: false,
          why: `cannot list containers now (${snap.containers.error.message}), so ${p.ip} may belong to a live one`,
        };
      const c = snap.containers.value.find(
        (x) => (x.state === 'running' || x.state === 'paused') && x.ips.includes(p.ip),
      );
      return c
        ? { ok: false, why: `${p.ip} now belongs to live container ${c.name}: its rules are not ours to touch` }
        : { ok: true, why: `no live container has ${p.ip}` };
    }
    case 'process-is': {
      if (!snap.processes.ok || !snap.sockets.ok) return { ok: false, why: 'cannot read processes and sockets now' };
      const proc = snap.processes.value.find((x) => x.pid === p.pid);
      if (!proc)
        return {
          ok: false,
          why: `pid ${p.pid} no longer holds port ${p.holdsPort} (it exited, or the pid was reused)`,
        };
      if (proc.comm !== p.comm) return { ok: false, why: `pid ${p.pid} is now ${proc.comm}, not ${p.comm}` };
      if (p.exe !== undefined && proc.exe !== p.exe)
        return {
          ok: false,
          why: `pid ${p.pid} now runs ${proc.exe ?? 'an executable that cannot be read'}, not ${p.exe}`,
        };
      if (!snap.sockets.value.some((s) => s.port === p.holdsPort && s.pids.includes(p.pid)))
        return { ok: false, why: `pid ${p.pid} no longer holds port ${p.holdsPort}` };
      if (p.notChildOfDockerd) {
        const dockerd = new Set([
          ...(snap.engine.ok ? snap.engine.value.dockerdPids : []),
          ...snap.processes.value.filter((x) => x.comm === 'dockerd').map((x) => x.pid),
        ]);
        if (dockerd.has(proc.ppid))
          return { ok: false, why: `pid ${p.pid} is now a child of dockerd (pid ${proc.ppid}): the daemon owns it` };
      }
      return { ok: true, why: `pid ${p.pid} (${proc.comm}) still holds port ${p.holdsPort}` };
    }
    case 'container-state': {
      if (!snap.containers.ok) return { ok: false, why: 'cannot list containers now' };
      const c = snap.containers.value.find((x) => x.id === p.id);
      if (!c) return { ok: false, why: `container ${p.id.slice(0, 12)} is gone` };
      return p.states.includes(c.state)
        ? { ok: true, why: `${c.name} is ${c.state}` }
        : { ok: false, why: `${c.name} is now ${c.state}, not ${p.states.join('/')}` };
    }
  }
}
