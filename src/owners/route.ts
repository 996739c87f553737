// A route lookup over the snapshot's interfaces and main routing table: which interface would the
// kernel send a DNAT target's packets to? Longest prefix wins; policy rules and metrics are not
// modelled (a tie keeps the first route `ip route` lists, the one the kernel prefers).
import type { Routing } from '../model.js';
import { familyOf, prefixMatch } from '../util/ip.js';

export interface RouteHit {
  /** the matching route's dst ('default', '10.0.0.0/24'), or null when none matches */
  readonly route: string | null;
  /** the interface it goes out of; null = nothing could answer (no route, unreachable, blackhole…) */
  readonly dev: string | null;
  readonly gateway: string | null;
  readonly type: string;
  /** link kind of `dev` (bridge, wireguard…) */
  readonly kind: string | null;
  /** the target is one of this host's own addresses */
  readonly local: boolean;
}

const DEAD = new Set(['unreachable', 'blackhole', 'prohibit', 'throw']);

export function lookupRoute(ip: string, routing: Routing): RouteHit {
  const fam = familyOf(ip);
  const kindOf = (dev: string | null): string | null =>
    dev ? (routing.interfaces.find((i) => i.name === dev)?.kind ?? null) : null;
  const own = routing.interfaces.find((i) => i.addrs.some((a) => a.family === fam && a.local === ip));
  if (own) return { route: null, dev: own.name, gateway: null, type: 'local', kind: own.kind, local: true };
  let best: Routing['routes'][number] | null = null;
  let bestLen = -1;
  for (const r of routing.routes) {
    if (r.family !== fam) continue;
    const len = r.dst === 'default' ? 0 : prefixMatch(ip, r.dst);
    if (len > bestLen) {
      best = r;
      bestLen = len;
    }
  }
  if (!best) return { route: null, dev: null, gateway: null, type: 'none', kind: null, local: false };
  if (best.type === 'local')
    return { route: best.dst, dev: best.dev, gateway: null, type: 'local', kind: kindOf(best.dev), local: true };
  const dead = DEAD.has(best.type) || !best.dev;
  return {
    route: best.dst,
    dev: dead ? null : best.dev,
    gateway: best.gateway,
    type: best.type,
    kind: dead ? null : kindOf(best.dev),
    local: false,
  };
}
