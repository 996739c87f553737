// Derived views of a snapshot, computed once per diagnosis and shared by every rule
// (Lighthouse's computed artifacts). Pure: no I/O. Socket owners come from src/owners/socket-owner.ts.
import type {
  Bind,
  Confidence,
  Container,
  DnatRule,
  FirewallView,
  Proc,
  ProbedBind,
  ProbeInfo,
  Snapshot,
  Socket,
  Subject,
} from '../model.js';
import { ownerModel, type SocketOwner } from '../owners/socket-owner.js';
import { hostBinder, semanticsFor, type AllocatorKey, type EngineSemantics } from '../engines/index.js';
import { familyOf, isWildcard, kernelOverlap, type Overlap } from '../util/ip.js';

export type { SocketOwner };

export interface Conflict {
  /** the host bind docker would ask for */
  readonly requested: Bind;
  readonly socket: Socket;
  readonly overlap: Overlap;
  /** collides only if the holder lacks SO_REUSEADDR, which /proc does not show (see kernelOverlap) */
  readonly reuseDependent: boolean;
  /** what the bind probe said for `requested`; null = not probed */
  readonly probe: ProbedBind['outcome'] | null;
  readonly owners: readonly SocketOwner[];
}

/** How sure a socket-holder finding can be, from the overlap and the kernel's own answer. */
export function conflictConfidence(c: Conflict): Confidence {
  if (c.probe === 'in-use') return c.overlap === 'yes' && !c.reuseDependent ? 'certain' : 'likely';
  if (c.reuseDependent) return 'possible';
  return c.overlap === 'yes' ? 'certain' : 'likely';
}

export interface SnapshotIndex {
  readonly requested: readonly Bind[];
  readonly procByPid: ReadonlyMap<number, Proc>;
  readonly dockerdPids: ReadonlySet<number>;
  /** running or paused: the only states that hold ports */
  readonly liveContainers: readonly Container[];
  readonly containerByIp: ReadonlyMap<string, Container>;
  readonly containerById: ReadonlyMap<string, Container>;
  /** sockets the kernel would weigh against each requested bind */
  readonly conflicts: readonly Conflict[];
  /** every socket on the subject's port and proto (any IP) */
  readonly socketsOnPort: readonly Socket[];
  /** DNAT rules for the subject's proto/port from every firewall view that could be read */
  readonly dnat: readonly DnatRule[];
  /** the engine-semantics row for the snapshot's engine (src/engines); null when unknown */
  readonly semantics: EngineSemantics | null;
  /** the bind probe, when it ran */
  readonly probe: ProbeInfo | null;
  /** the probe's answer for one requested bind */
  probeOf(b: Bind): ProbedBind | null;
  /** conflicts the model saw that the kernel's answer ("free") cleared */
  readonly clearedByProbe: readonly Conflict[];
  ownersOf(s: Socket): SocketOwner[];
}

export function firewallViews(snap: Snapshot): FirewallView[] {
  return [snap.iptablesNft, snap.iptablesLegacy, snap.nft].flatMap((f) => (f.ok ? [f.value] : []));
}

export function buildIndex(snap: Snapshot, subject: Subject): SnapshotIndex {
  // who holds each socket: one judgement with the port map (src/owners/socket-owner.ts)
  const { procByPid, dockerdPids, liveContainers, containerByIp, containerById, ownersOf } = ownerModel(snap);

  const engine = snap.engine.ok ? snap.engine.value : null;
  const semantics = semanticsFor(engine);
  const probe = snap.probe?.ok ? snap.probe.value : null;
  const probeOf = (b: Bind): ProbedBind | null =>
    probe?.binds.find((x) => x.proto === b.proto && x.ip === b.ip && x.port === b.port) ?? null;
  const reuseAddr =
    semantics && engine ? (hostBinder(semantics, engine).opts?.[subject.proto].reuseAddr ?? null) : null;
  const defaults = semantics?.defaultHostIps ?? ['0.0.0.0', '::'];
  const requested: Bind[] = (subject.ip === null ? defaults : [subject.ip]).map((ip) => ({
    proto: subject.proto,
    ip,
    port: subject.port,
  }));
  const sockets = snap.sockets.ok ? snap.sockets.value : [];
  const socketsOnPort = sockets.filter((s) => s.port === subject.port && s.proto === subject.proto);
  // every other socket on the port (bound-only, ESTABLISHED, TIME-WAIT …): weighed only against a
  // bind the kernel refused, to find who refused it
  const listed = new Set(socketsOnPort.map((s) => s.inode).filter((i) => i > 0));
  const otherStates = (probe?.portSockets ?? []).filter(
    (s) => s.port === subject.port && s.proto === subject.proto && (s.inode === 0 || !listed.has(s.inode)),
  );
  const conflicts: Conflict[] = [];
  const clearedByProbe: Conflict[] = [];
  for (const req of requested) {
    const p = probeOf(req)?.outcome ?? null;
    const candidates = p === 'in-use' ? [...socketsOnPort, ...otherStates] : socketsOnPort;
    for (const s of candidates) {
      const k = kernelOverlap(req, s, reuseAddr);
      if (k.overlap === 'no') continue;
      const c: Conflict = { requested: req, socket: s, ...k, probe: p, owners: ownersOf(s) };
      // the kernel accepted the engine's own bind: whatever the model thought, this socket did not refuse it
      if (p === 'free') clearedByProbe.push(c);
      else conflicts.push(c);
    }
  }
  const dnat = firewallViews(snap)
    .flatMap((v) => v.dnat)
    .filter((r) => r.proto === subject.proto && r.dport <= subject.port && subject.port <= r.dportEnd);
  return {
    requested,
    procByPid,
    dockerdPids,
    liveContainers,
    containerByIp,
    containerById,
    conflicts,
    socketsOnPort,
    dnat,
    semantics,
    probe,
    probeOf,
    clearedByProbe,
    ownersOf,
  };
}

/**
 * Would dockerd's allocator refuse `b` because container `c` publishes it? 'exact-ip' (20.10-28.2):
 * the same host IP only. 'ip-or-family-wildcard' (28.3+): also a specific IP against the family's
 * wildcard and the reverse. 'none' (Podman): the kernel decides, so only the exact bind is a claim.
 */
export function allocatorClaims(c: Container, b: Bind, key: AllocatorKey): boolean {
  return c.published.some((p) => {
    if (p.proto !== b.proto || p.hostPort !== b.port) return false;
    if (p.hostIp === b.ip) return true;
    if (key !== 'ip-or-family-wildcard' || familyOf(p.hostIp) !== familyOf(b.ip)) return false;
    return isWildcard(p.hostIp) || isWildcard(b.ip);
  });
}

/** Does container `c` publish exactly this host bind (the allocator's key: host IP, proto, port)? */
export function publishesExactly(c: Container, b: Bind): boolean {
  return c.published.some((p) => p.proto === b.proto && p.hostPort === b.port && p.hostIp === b.ip);
}

/**
 * Every (conflict, owner) pair whose owner is of `kind`, once per owning pid and requested host IP:
 * the shared walk of the socket-owner rules.
 */
export function ownersOfKind<K extends SocketOwner['kind']>(
  index: SnapshotIndex,
  kind: K,
): Array<{ c: Conflict; o: Extract<SocketOwner, { kind: K }> }> {
  const out: Array<{ c: Conflict; o: Extract<SocketOwner, { kind: K }> }> = [];
  const seen = new Set<string>();
  for (const c of index.conflicts) {
    for (const o of c.owners) {
      if (o.kind !== kind) continue;
      const key = `${'proc' in o ? o.proc.pid : 'uid' in o ? `u${o.uid}` : ''} ${c.requested.ip}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ c, o: o as Extract<SocketOwner, { kind: K }> });
    }
  }
  return out;
}
