// The host's whole port map: every (proto, host IP, port) that is listened on, published,
// allocated or DNATed, with its owners and a status. Pure and linear in the size of the host:
// everything is bucketed by proto/port first, so no quadratic joins.
// eslint-disable-next-line no-restricted-imports -- known exception: to go once the owner model is shared with src/snapshot/
import { isDockerProxy, parseDockerProxyArgv } from './collect/parse/docker-proxy-argv.js';
import type { Container, DnatRule, Proc, Proto, Snapshot, Socket } from './model.js';
import { firewallViews } from './snapshot/index.js';
import { bindOverlap } from './util/ip.js';

export type PortStatus =
  'ok' | 'conflict' | 'orphan-rule' | 'stale-proxy' | 'allocated-without-listener' | 'stopped-container';

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
      readonly orphan: boolean;
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

export function portMap(snap: Snapshot): PortMap {
  const procs = new Map<number, Proc>((snap.processes.ok ? snap.processes.value : []).map((p) => [p.pid, p]));
  const dockerd = new Set<number>([
    ...(snap.engine.ok ? snap.engine.value.dockerdPids : []),
    ...[...procs.values()].filter((p) => p.comm === 'dockerd').map((p) => p.pid),
  ]);
  const containers = snap.containers.ok ? snap.containers.value : [];
  const live = containers.filter((c) => c.state === 'running' || c.state === 'paused');
  const byIp = new Map<string, Container>();
  for (const c of live) for (const ip of c.ips) byIp.set(ip, c);
  const byId = new Map(containers.map((c) => [c.id, c]));
  const userlandProxy = snap.engine.ok ? snap.engine.value.userlandProxy && !snap.engine.value.rootless : true;

  const entries = new Map<string, PortEntry>();
  const entry = (proto: Proto, ip: string, port: number): PortEntry => {
    const k = `${proto}|${ip}|${port}`;
    let e = entries.get(k);
    if (!e) {
      e = { proto, ip, port, status: 'ok', owners: [] };
      entries.set(k, e);
    }
    return e;
  };
  const sockets: Socket[] = snap.sockets.ok ? [...snap.sockets.value] : [];
  for (const s of sockets) {
    const e = entry(s.proto, s.ip, s.port);
    if (!s.pids.length) {
      e.owners.push({ kind: 'unseen', uid: s.uid });
      continue;
    }
    for (const pid of s.pids) {
      const p = procs.get(pid);
      if (!p) {
        e.owners.push({ kind: 'unseen', uid: s.uid });
        continue;
      }
      if (isDockerProxy(p.comm, p.argv)) {
        const a = parseDockerProxyArgv(p.argv);
        const stale = !dockerd.has(p.ppid) || (snap.containers.ok && !!a && !byIp.has(a.containerIp));
        e.owners.push({ kind: 'docker-proxy', pid, containerIp: a?.containerIp ?? null, stale });
      } else if (p.comm === 'dockerd') e.owners.push({ kind: 'dockerd', pid });
      else if (p.containerId) {
        const c = byId.get(p.containerId);
        e.owners.push({
          kind: 'container',
          id: p.containerId,
          name: c?.name ?? p.containerId.slice(0, 12),
          state: c?.state ?? 'running',
          via: 'host-network',
        });
      } else e.owners.push({ kind: 'process', pid, comm: p.comm, unit: p.unit });
    }
  }
  for (const c of containers) {
    for (const b of c.published)
      entry(b.proto, b.hostIp, b.hostPort).owners.push({
        kind: 'container',
        id: c.id,
        name: c.name,
        state: c.state,
        via: 'published',
      });
  }
  const rules: DnatRule[] = firewallViews(snap).flatMap((v) => v.dnat);
  for (const r of rules) {
    if (r.reachable === false) continue;
    const ip = r.daddr ?? (r.family === 'ip6' ? '::' : '0.0.0.0');
    for (let port = r.dport; port <= r.dportEnd && port - r.dport < 1024; port++) {
      const c = byIp.get(r.toIp);
      const owned = !!c && c.published.some((p) => p.proto === r.proto && p.hostPort === port);
      entry(r.proto, ip, port).owners.push({
        kind: 'rule',
        backend: r.backend,
        table: r.table,
        chain: r.chain,
        toIp: r.toIp,
        toPort: r.toPort,
        orphan: snap.containers.ok ? !owned : false,
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
      const hasListener = o.some((x) => x.kind === 'docker-proxy' || x.kind === 'dockerd' || x.kind === 'unseen');
      if (o.some((x) => x.kind === 'rule' && x.orphan)) e.status = 'orphan-rule';
      else if (o.some((x) => x.kind === 'docker-proxy' && x.stale)) e.status = 'stale-proxy';
      else if (liveContainer && userlandProxy && snap.sockets.ok && !hasListener)
        e.status = 'allocated-without-listener';
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
