// Who holds a socket: the one judgement of socket owners, shared by diagnose's rules (through
// src/snapshot/index.ts), the port map (src/portmap.ts) and so the exporter. Pure: judged from a
// snapshot, computed once per snapshot.
import type { Container, DockerProxyArgs, EngineInfo, Proc, Snapshot, Socket } from '../model.js';
import { isDockerProxy, parseDockerProxyArgv } from './docker-proxy-argv.js';
import { dockerProxyProof } from './process-owner.js';

/** What kind of thing holds a socket. */
export type SocketOwner =
  | {
      readonly kind: 'docker-proxy';
      readonly proc: Proc;
      readonly args: DockerProxyArgs | null;
      readonly parentIsDockerd: boolean;
      readonly container: Container | null;
      /** its executable is proven to be an engine's docker-proxy (src/owners/process-owner.ts) */
      readonly proven: boolean;
      readonly proof: string;
    }
  | { readonly kind: 'dockerd'; readonly proc: Proc }
  | {
      readonly kind: 'container-process';
      readonly proc: Proc;
      readonly container: Container | null;
      readonly hostNetwork: boolean;
    }
  | { readonly kind: 'resolved-stub'; readonly proc: Proc }
  /** a rootless / Podman port forwarder (rootlesskit, slirp4netns, pasta, rootlessport, conmon) holding a published port */
  | { readonly kind: 'forwarder'; readonly proc: Proc; readonly container: Container | null }
  | { readonly kind: 'process'; readonly proc: Proc }
  | { readonly kind: 'unseen'; readonly uid: number };

export interface OwnerModel {
  readonly procByPid: ReadonlyMap<number, Proc>;
  readonly dockerdPids: ReadonlySet<number>;
  /** running or paused: the only states that hold ports */
  readonly liveContainers: readonly Container[];
  readonly containerByIp: ReadonlyMap<string, Container>;
  readonly containerById: ReadonlyMap<string, Container>;
  ownersOf(s: Socket): SocketOwner[];
}

const RESOLVED = new Set(['systemd-resolve', 'systemd-resolved']);
/** processes that hold published ports for rootless Docker and Podman (src/engines/rootless.ts, src/engines/podman.ts) */
export const FORWARDERS = new Set(['rootlesskit', 'slirp4netns', 'pasta', 'pasta.avx2', 'rootlessport', 'conmon']);

const cache = new WeakMap<Snapshot, OwnerModel>();

export function ownerModel(snap: Snapshot): OwnerModel {
  const hit = cache.get(snap);
  if (hit) return hit;
  const procs = snap.processes.ok ? snap.processes.value : [];
  const procByPid = new Map(procs.map((p) => [p.pid, p]));
  const dockerdPids = new Set<number>(snap.engine.ok ? snap.engine.value.dockerdPids : []);
  for (const p of procs) if (p.comm === 'dockerd') dockerdPids.add(p.pid);
  const containers = snap.containers.ok ? snap.containers.value : [];
  const liveContainers = containers.filter((c) => c.state === 'running' || c.state === 'paused');
  const containerByIp = new Map<string, Container>();
  for (const c of liveContainers) for (const ip of c.ips) containerByIp.set(ip, c);
  const containerById = new Map(containers.map((c) => [c.id, c]));
  const hostNetns = snap.host.ok ? snap.host.value.hostNetns : null;

  const ownersOf = (s: Socket): SocketOwner[] => {
    if (s.pids.length === 0) return [{ kind: 'unseen', uid: s.uid }];
    return s.pids.map((pid): SocketOwner => {
      const proc = procByPid.get(pid);
      if (!proc) return { kind: 'unseen', uid: s.uid };
      const parentIsDockerd = dockerdPids.has(proc.ppid) || procByPid.get(proc.ppid)?.comm === 'dockerd';
      const proof = isDockerProxy(proc.comm, proc.argv) ? dockerProxyProof(proc, snap, parentIsDockerd) : null;
      // named docker-proxy but running another executable: a host process like any other
      if (proof && !(!proof.proven && proof.impostor)) {
        const args = parseDockerProxyArgv(proc.argv);
        return {
          kind: 'docker-proxy',
          proc,
          args,
          parentIsDockerd,
          container: args ? (containerByIp.get(args.containerIp) ?? null) : null,
          proven: proof.proven,
          proof: proof.why,
        };
      }
      if (proc.comm === 'dockerd') return { kind: 'dockerd', proc };
      if (FORWARDERS.has(proc.comm)) {
        const byCgroup = proc.containerId ? (containerById.get(proc.containerId) ?? null) : null;
        const byPort =
          liveContainers.find((c) =>
            c.published.some(
              (b) =>
                b.proto === s.proto &&
                b.hostPort === s.port &&
                (b.hostIp === s.ip || b.hostIp === '0.0.0.0' || b.hostIp === '::'),
            ),
          ) ?? null;
        return { kind: 'forwarder', proc, container: byCgroup ?? byPort };
      }
      if (proc.containerId) {
        const container = containerById.get(proc.containerId) ?? null;
        const hostNetwork = container?.networkMode === 'host' || (hostNetns !== null && proc.netns === hostNetns);
        return { kind: 'container-process', proc, container, hostNetwork };
      }
      // the stub listens on 127.0.0.53 (and 127.0.0.54 since v251) port 53
      if (RESOLVED.has(proc.comm) && (s.port === 53 || s.ip === '127.0.0.53' || s.ip === '127.0.0.54'))
        return { kind: 'resolved-stub', proc };
      return { kind: 'process', proc };
    });
  };
  const model: OwnerModel = { procByPid, dockerdPids, liveContainers, containerByIp, containerById, ownersOf };
  cache.set(snap, model);
  return model;
}

/**
 * A docker-proxy that holds its port for nothing: not dockerd's child, or forwarding to no live
 * container (the stale-docker-proxy rule, and the port map's `stale-proxy`).
 */
export function isStaleProxy(o: SocketOwner): o is Extract<SocketOwner, { kind: 'docker-proxy' }> {
  return o.kind === 'docker-proxy' && !(o.parentIsDockerd && o.container !== null);
}

/** A socket owner that serves dockerd's allocation of the port (its proxy, or dockerd itself). */
export function servesAllocation(o: SocketOwner): boolean {
  return o.kind === 'docker-proxy' || o.kind === 'dockerd';
}

/** Does every published port of this engine get a docker-proxy listener (so a missing one is stale)? */
export function expectsProxy(engine: EngineInfo | null): boolean {
  return !!engine && engine.userlandProxy !== false && !engine.rootless;
}
