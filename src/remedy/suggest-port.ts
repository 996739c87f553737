// The nearest host port that nothing holds: no socket, no allocation, no DNAT rule, no idle
// container that would claim it. Pure over a snapshot that covers the candidate ports.
import { isPortFree } from '../port-query.js';
import type { Proto, Snapshot } from '../model.js';
import { candidatePorts } from './candidate-ports.js';

export { candidatePorts };

export function nearestFreePort(
  snap: Snapshot,
  proto: Proto,
  ip: string | null,
  port: number,
  span = 50,
): number | null {
  const range = snap.host.ok ? snap.host.value.sysctl['net.ipv4.ip_local_port_range'] : undefined;
  const [lo, hi] = (range ?? '32768 60999').split(/\s+/).map(Number) as [number, number];
  const scope = snap.scope?.ports ? new Set(snap.scope.ports) : null;
  for (const p of candidatePorts(port, span)) {
    if (p >= lo && p <= hi) continue; // outgoing connections take ports from this range
    if (scope && !scope.has(p)) continue; // a snapshot of other ports cannot show what holds this one
    if (isPortFree(snap, { proto, ip, port: p })) return p;
  }
  return null;
}

/** compose v1 container names (project_service_1) and v2 (project-service-1) → the service */
export function composeServiceOf(name: string | null, project: string | null): string | null {
  if (!name) return null;
  let s = name.replace(/^\/?/, '');
  if (project && (s.startsWith(`${project}_`) || s.startsWith(`${project}-`))) s = s.slice(project.length + 1);
  return s.replace(/[-_]\d+$/, '') || null;
}
