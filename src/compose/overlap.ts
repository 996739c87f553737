// Do two published bindings collide on the host? Exactly as dockerd and the kernel decide (lab):
// same protocol, overlapping host ports, and host IPs that overlap — 0.0.0.0 covers every IPv4
// address and :: every IPv6 one, but Docker's [::] sockets are v6-only, so 0.0.0.0:P and [::]:P
// coexist; 127.0.0.1:P and 127.0.0.2:P coexist; tcp and udp never collide.
import { familyOf, isWildcard } from '../util/ip.js';
import type { ComposeBinding } from './types.js';

/** null (no host IP given) means both wildcards */
export function expandIps(ip: string | null): string[] {
  return ip === null ? ['0.0.0.0', '::'] : [ip];
}

export function ipsOverlap(a: string | null, b: string | null): boolean {
  for (const x of expandIps(a))
    for (const y of expandIps(b)) {
      if (familyOf(x) !== familyOf(y)) continue;
      if (x === y || isWildcard(x) || isWildcard(y)) return true;
    }
  return false;
}

export function portsOf(b: ComposeBinding): { start: number; end: number } | null {
  return b.hostPort === 'ephemeral' ? null : b.hostPort;
}

/**
 * A host range for one container port ("8000-9000:80") is a pool: dockerd binds one free port of it
 * (the allocator's range request), so it is fixed only where the range is as long as the container's.
 */
export function isPool(b: ComposeBinding): boolean {
  const p = portsOf(b);
  return p !== null && p.end > p.start && b.containerPort.end === b.containerPort.start;
}

export function bindingsCollide(a: ComposeBinding, b: ComposeBinding): number | null {
  if (a.proto !== b.proto) return null;
  const pa = portsOf(a);
  const pb = portsOf(b);
  if (!pa || !pb) return null;
  if (isPool(a) || isPool(b)) {
    // two pools leave each other a port (counting the ports they take is beyond a lint); a pool
    // against fixed ports clashes only when those ports cover every port of the pool
    if (isPool(a) && isPool(b)) return null;
    const [pool, fixed] = isPool(a) ? [pa, pb] : [pb, pa];
    if (fixed.start > pool.start || fixed.end < pool.end) return null;
    return ipsOverlap(a.hostIp, b.hostIp) ? pool.start : null;
  }
  const lo = Math.max(pa.start, pb.start);
  const hi = Math.min(pa.end, pb.end);
  if (lo > hi) return null;
  return ipsOverlap(a.hostIp, b.hostIp) ? lo : null;
}
