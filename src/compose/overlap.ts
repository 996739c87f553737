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

export function bindingsCollide(a: ComposeBinding, b: ComposeBinding): number | null {
  if (a.proto !== b.proto) return null;
  const pa = portsOf(a);
  const pb = portsOf(b);
  if (!pa || !pb) return null;
  const lo = Math.max(pa.start, pb.start);
  const hi = Math.min(pa.end, pb.end);
  if (lo > hi) return null;
  return ipsOverlap(a.hostIp, b.hostIp) ? lo : null;
}
