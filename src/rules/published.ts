// Shared by the "does it still answer" rules: the running containers that publish the subject's
// port over IPv4 (the bindings Docker writes DNAT rules for), and the walk of each path to them.
import type { Container, PortBinding, Snapshot, Subject } from '../model.js';
import { walkPath, type Walk } from '../path/index.js';
import type { SnapshotIndex } from '../snapshot/index.js';

export interface Published {
  readonly c: Container;
  readonly b: PortBinding;
  readonly ip: string;
}

/** rootless and Podman containers are reached through their own forwarders, not host DNAT */
export function hostDnatEngine(snap: Snapshot): boolean {
  const e = snap.engine.ok ? snap.engine.value : null;
  return !!e && !e.rootless && e.product !== 'podman';
}

export function publishedOnSubject(index: SnapshotIndex, subject: Subject): Published[] {
  const out: Published[] = [];
  for (const c of index.liveContainers) {
    if (c.networkMode === 'host') continue;
    const ip = c.ips.find((x) => !x.includes(':'));
    if (!ip) continue;
    for (const b of c.published) {
      if (b.proto !== subject.proto || b.hostPort !== subject.port || b.hostIp.includes(':')) continue;
      if (subject.ip !== null && subject.ip !== b.hostIp && b.hostIp !== '0.0.0.0') continue;
      out.push({ c, b, ip });
      break;
    }
  }
  return out;
}

/** does this walk end at container c (directly, or through docker-proxy)? */
export function reaches(w: Walk, c: Container): boolean {
  const o = w.outcome;
  return (o.kind === 'container' && o.id === c.id) || (o.kind === 'docker-proxy' && o.container?.id === c.id);
}

export function outsideWalk(snap: Snapshot, p: Published): Walk {
  return walkPath(snap, {
    proto: p.b.proto,
    port: p.b.hostPort,
    from: { kind: 'outside' },
    ...(p.b.hostIp !== '0.0.0.0' ? { daddr: p.b.hostIp } : {}),
  });
}
