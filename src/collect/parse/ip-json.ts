// `ip -j -d addr`, `ip -j route`, `ip -j neigh` → Routing. iproute2's JSON is the stable interface
// to these tables; the fields read here exist since iproute2 4.x.
import type { Family, NetInterface, Neighbour, Route } from '../../model.js';
import { normalizeIp } from '../../util/ip.js';

type J = Record<string, unknown>;
const arr = (text: string): J[] => {
  const v: unknown = JSON.parse(text.trim() || '[]');
  if (!Array.isArray(v)) throw new Error('expected a JSON array');
  return v.filter((x): x is J => !!x && typeof x === 'object');
};
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function parseIpAddr(text: string): NetInterface[] {
  return arr(text).map((l) => {
    const flags = Array.isArray(l.flags) ? l.flags.map(String) : [];
    const info = l.linkinfo && typeof l.linkinfo === 'object' ? (l.linkinfo as J) : null;
    const addrs = (Array.isArray(l.addr_info) ? (l.addr_info as J[]) : []).flatMap((a) => {
      const ip = normalizeIp(String(a.local ?? ''));
      const family: Family | null = a.family === 'inet' ? 4 : a.family === 'inet6' ? 6 : null;
      return ip && family ? [{ family, local: ip, prefixlen: Number(a.prefixlen ?? 0) }] : [];
    });
    return {
      name: String(l.ifname ?? ''),
      kind: str(info?.info_kind) ?? (l.link_type === 'none' ? 'tun' : null),
      master: str(l.master),
      up: flags.includes('UP'),
      addrs,
    };
  });
}

/** `ip -j route show table main` of one family; 'default' and prefixes kept as printed (host routes get /32 or /128). */
export function parseIpRoute(text: string, family: Family): Route[] {
  return arr(text).map((r) => {
    const raw = String(r.dst ?? 'default');
    const dst = raw === 'default' || raw.includes('/') ? raw : `${raw}/${family === 4 ? 32 : 128}`;
    return {
      family,
      dst,
      dev: str(r.dev),
      gateway: str(r.gateway),
      type: str(r.type) ?? 'unicast',
    };
  });
}

export function parseIpNeigh(text: string): Neighbour[] {
  return arr(text).flatMap((n) => {
    const ip = normalizeIp(String(n.dst ?? ''));
    if (!ip) return [];
    return [
      {
        ip,
        dev: String(n.dev ?? ''),
        lladdr: str(n.lladdr),
        state: Array.isArray(n.state) ? n.state.map(String) : [],
      },
    ];
  });
}
