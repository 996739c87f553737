// The host's whole port map: every (proto, host IP, port) that is listened on, published,
// allocated or DNATed, with its owners and a status. Pure and linear in the size of the host:
// everything is bucketed by proto/port first, so no quadratic joins. Owners are judged by the same
// model as diagnose's rules (src/owners/socket-owner.ts for sockets, src/owners/dnat-verdict.ts for
// DNAT rules), and STATUS_CAUSES says which verdicts each status allows: test/unit/owner-agreement.test.ts
// holds every lab capture to it.
import type { Cause, Container, DnatRule, Proto, Snapshot, Socket } from './model.js';
import { judgeDnat, type DnatVerdict } from './owners/dnat-verdict.js';
import { expectsProxy, isStaleProxy, ownerModel, servesAllocation, type SocketOwner } from './owners/socket-owner.js';
import { allocationWithoutListener } from './rules/allocation-without-listener.js';
import { staleDockerProxy } from './rules/stale-docker-proxy.js';
import type { Rule } from './rules/types.js';
import { firewallViews } from './snapshot/index.js';
import { bindOverlap } from './util/ip.js';

export type PortStatus =
  | 'ok'
  | 'conflict'
  | 'orphan-rule'
  | 'foreign-rule'
  | 'stale-proxy'
  | 'allocated-without-listener'
  | 'stopped-container';

/** Holders of a port that diagnose names without anything being wrong with the port map entry. */
const HELD = ['host-process', 'resolved-stub', 'container', 'host-network-container'] as const;

/**
 * What diagnose may say of `IP:PORT/PROTO` for a port map entry of each status: the hazard causes
 * each belong to exactly one status, so the exporter's counts and diagnose's verdicts cannot part.
 */
export const STATUS_CAUSES = {
  ok: ['port-free', ...HELD, 'unknown'],
  conflict: [...HELD, 'unknown'],
  'orphan-rule': ['orphan-dnat', 'firewall-split-brain'],
  'foreign-rule': ['foreign-dnat'],
  'stale-proxy': ['stale-docker-proxy'],
  'allocated-without-listener': ['stale-allocation'],
  // created, exited and failed-start containers hold nothing (they would claim it on start); blind
  // to the rest of the host, diagnose cannot say free
  'stopped-container': ['port-free', 'unknown'],
} as const satisfies Record<PortStatus, readonly Cause[]>;

export type PortOwner =
  | { readonly kind: 'process'; readonly pid: number; readonly comm: string; readonly unit: string | null }
  | {
      readonly kind: 'docker-proxy';
      readonly pid: number;
      readonly containerIp: string | null;
      readonly stale: boolean;
    }
  | { readonly kind: 'dockerd'; readonly pid: number }
  | {
      readonly kind: 'container';
      readonly id: string;
      readonly name: string;
      readonly state: string;
      readonly via: 'published' | 'host-network';
    }
  | {
      readonly kind: 'rule';
      readonly backend: string;
      readonly table: string;
      readonly chain: string;
      readonly toIp: string;
      readonly toPort: number | null;
      /** orphan-dnat or firewall-split-brain: diagnose says it forwards to nothing */
      readonly orphan: boolean;
      /** src/owners/dnat-verdict.ts */
      readonly verdict: DnatVerdict;
    }
  | { readonly kind: 'unseen'; readonly uid: number };

export interface PortEntry {
  readonly proto: Proto;
  readonly ip: string;
  readonly port: number;
  status: PortStatus;
  readonly owners: PortOwner[];
}

export interface PortMap {
  readonly ports: PortEntry[];
  readonly complete: boolean;
  readonly missing: readonly string[];
}

/** Can this rule speak on this snapshot (its required facts were read)? A status needs what its rule needs. */
function canSay(snap: Snapshot, rule: Rule): boolean {
  const any = rule.meta.anyOf ?? [];
  return rule.meta.requires.every((k) => snap[k].ok) && (any.length === 0 || any.some((k) => snap[k].ok));
}

/** A socket owner in the port map's words (the `ports` command's JSON). */
function portOwnerOf(o: SocketOwner, judgeStale: boolean): PortOwner {
  switch (o.kind) {
    case 'unseen':
      return { kind: 'unseen', uid: o.uid };
    case 'docker-proxy':
      return {
        kind: 'docker-proxy',
        pid: o.proc.pid,
        containerIp: o.args?.containerIp ?? null,
        stale: judgeStale && isStaleProxy(o),
      };
    case 'dockerd':
      return { kind: 'dockerd', pid: o.proc.pid };
    case 'container-process':
      return {
        kind: 'container',
        id: o.proc.containerId ?? '',
        name: o.container?.name ?? (o.proc.containerId ?? '').slice(0, 12),
        state: o.container?.state ?? 'running',
        via: 'host-network',
      };
    case 'forwarder':
    case 'resolved-stub':
    case 'process':
      return { kind: 'process', pid: o.proc.pid, comm: o.proc.comm, unit: o.proc.unit };
  }
}

export function portMap(snap: Snapshot): PortMap {
  const model = ownerModel(snap);
  const containers = snap.containers.ok ? snap.containers.value : [];
  const proxied = expectsProxy(snap.engine.ok ? snap.engine.value : null) && canSay(snap, allocationWithoutListener);
  const judgeStale = canSay(snap, staleDockerProxy);

  const entries = new Map<string, PortEntry>();
  /**
   * the entry, `owner` added; a new entry's owners start as `[owner]`: most have one, and an array
   * that starts empty gets room for 17 at its first push (~150 bytes each of a busy host's 26,000)
   */
  const entry = (proto: Proto, ip: string, port: number, owner?: PortOwner): PortEntry => {
    const k = `${proto}|${ip}|${port}`;
    let e = entries.get(k);
    if (!e) {
      e = { proto, ip, port, status: 'ok', owners: owner ? [owner] : [] };
      entries.set(k, e);
    } else if (owner) e.owners.push(owner);
    return e;
  };
  /** per entry, whether some owner serves dockerd's allocation (src/owners/socket-owner.ts) */
  const served = new Set<PortEntry>();
  const sockets: Socket[] = snap.sockets.ok ? [...snap.sockets.value] : [];
  for (const s of sockets) {
    const owners = model.ownersOf(s);
    if (owners.length === 0) entry(s.proto, s.ip, s.port);
    for (const o of owners) {
      const e = entry(s.proto, s.ip, s.port, portOwnerOf(o, judgeStale));
      if (servesAllocation(o)) served.add(e);
    }
  }
  for (const c of containers) {
    for (const b of c.published)
      entry(b.proto, b.hostIp, b.hostPort, {
        kind: 'container',
        id: c.id,
        name: c.name,
        state: c.state,
        via: 'published',
      });
  }
  // every DNAT per proto/port, as diagnose's index holds them for one port (the other world is judged against them)
  const rules: DnatRule[] = firewallViews(snap).flatMap((v) => v.dnat);
  const rulesOnPort = new Map<string, DnatRule[]>();
  for (const r of rules) {
    if (r.reachable === false) continue;
    for (let port = r.dport; port <= r.dportEnd && port - r.dport < 1024; port++) {
      const k = `${r.proto}|${port}`;
      if (!rulesOnPort.has(k)) rulesOnPort.set(k, []);
      rulesOnPort.get(k)?.push(r);
    }
  }
  const live: ReadonlyMap<string, Container> = model.containerByIp;
  for (const r of rules) {
    if (r.reachable === false) continue;
    const ip = r.daddr ?? (r.family === 'ip6' ? '::' : '0.0.0.0');
    // the judgement does not depend on the port within the range: once per rule
    const verdict = judgeDnat(r, snap, live, rulesOnPort.get(`${r.proto}|${r.dport}`) ?? [r]).verdict;
    for (let port = r.dport; port <= r.dportEnd && port - r.dport < 1024; port++) {
      entry(r.proto, ip, port, {
        kind: 'rule',
        backend: r.backend,
        table: r.table,
        chain: r.chain,
        toIp: r.toIp,
        toPort: r.toPort,
        orphan: verdict === 'orphan' || verdict === 'split-brain',
        verdict,
      });
    }
  }

  // statuses, judged per (proto, port) bucket so cross-IP overlaps are seen without a quadratic pass
  const buckets = new Map<string, PortEntry[]>();
  for (const e of entries.values()) {
    const k = `${e.proto}|${e.port}`;
    if (!buckets.has(k)) buckets.set(k, []);
    buckets.get(k)?.push(e);
  }
  for (const list of buckets.values()) {
    for (const e of list) {
      const o = e.owners;
      const liveContainer = o.find(
        (x) => x.kind === 'container' && x.via === 'published' && (x.state === 'running' || x.state === 'paused'),
      );
      // most decisive first, in the order of the verdict's CAUSE_RANK (src/verdict.ts)
      const verdicts = new Set(o.flatMap((x) => (x.kind === 'rule' ? [x.verdict] : [])));
      if (verdicts.has('orphan')) e.status = 'orphan-rule';
      else if (verdicts.has('foreign')) e.status = 'foreign-rule';
      else if (verdicts.has('split-brain')) e.status = 'orphan-rule';
      else if (liveContainer && proxied && !served.has(e)) e.status = 'allocated-without-listener';
      else if (o.some((x) => x.kind === 'docker-proxy' && x.stale)) e.status = 'stale-proxy';
      else if (
        o.every((x) => x.kind === 'container' && x.via === 'published' && x.state !== 'running' && x.state !== 'paused')
      )
        e.status = 'stopped-container';
    }
    // two different holders on overlapping binds of the same port: a conflict on both sides
    const holderOf = (e: PortEntry): string | null => {
      const p = e.owners.find((x) => x.kind === 'process' || (x.kind === 'container' && x.via === 'host-network'));
      if (p) return p.kind === 'process' ? `p${p.pid}` : `c${(p as { id: string }).id}`;
      const c = e.owners.find((x) => x.kind === 'container' && (x.state === 'running' || x.state === 'paused'));
      return c ? `c${(c as { id: string }).id}` : null;
    };
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) {
        const a = list[i]!;
        const b = list[j]!;
        const ha = holderOf(a);
        const hb = holderOf(b);
        if (!ha || !hb || ha === hb) continue;
        const sa = {
          proto: a.proto,
          family: a.ip.includes(':') ? 6 : 4,
          ip: a.ip,
          port: a.port,
          v6only: null,
          state: 'LISTEN',
          inode: 0,
          uid: 0,
          pids: [],
        } as Socket;
        if (bindOverlap({ proto: b.proto, ip: b.ip, port: b.port }, sa) === 'no') continue;
        for (const e of [a, b]) if (e.status === 'ok') e.status = 'conflict';
      }
    }
  }
  const missing = (['sockets', 'processes', 'containers', 'iptablesNft', 'iptablesLegacy', 'nft'] as const).filter(
    (k) => !snap[k].ok,
  );
  const fam = (ip: string): number => (ip.includes(':') ? 6 : 4);
  const ports = [...entries.values()].sort(
    (a, b) =>
      a.port - b.port ||
      (a.proto < b.proto ? -1 : a.proto > b.proto ? 1 : 0) ||
      fam(a.ip) - fam(b.ip) ||
      (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0),
  );
  return { ports, complete: missing.length === 0, missing };
}
