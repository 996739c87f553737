// The host's own addresses and default-route interface from /proc/net (no `ip` binary needed):
// fib_trie lists every LOCAL address, if_inet6 the IPv6 ones, route the IPv4 default route.
import { normalizeIp } from '../../util/ip.js';

/** IPv4 addresses the kernel routes as LOCAL (what `-m addrtype --dst-type LOCAL` tests). */
export function parseFibTrieLocal(text: string): string[] {
  const out = new Set<string>();
  let last: string | null = null;
  for (const line of text.split('\n')) {
    const leaf = /\|--\s+(\d+\.\d+\.\d+\.\d+)\s*$/.exec(line);
    if (leaf) {
      last = leaf[1] ?? null;
      continue;
    }
    if (last && /^\s+\/32 host LOCAL/.test(line)) out.add(last);
  }
  return [...out];
}

/** /proc/net/if_inet6: `00000000000000000000000000000001 01 80 10 80 lo` → '::1' */
export function parseIfInet6(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const hex = line.trim().split(/\s+/)[0];
    if (!hex || hex.length !== 32) continue;
    const groups = hex.match(/.{4}/g) ?? [];
    const ip = normalizeIp(groups.join(':'));
    if (ip) out.push(ip);
  }
  return out;
}

/** /proc/net/route: the interface of the 0.0.0.0/0 route, or null */
export function parseDefaultIface(text: string): string | null {
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && f[1] === '00000000' && f[7] === '00000000') return f[0] ?? null;
  }
  return null;
}

const hexIp = (h: string): string => [6, 4, 2, 0].map((i) => parseInt(h.slice(i, i + 2), 16)).join('.');

/** the IPv4 subnets routed directly on `iface` (/proc/net/route lines with no gateway) */
export function ifaceSubnets(text: string, iface: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || f[0] !== iface || f[2] !== '00000000' || f[1] === '00000000') continue;
    const mask = hexIp(f[7] as string)
      .split('.')
      .map(Number)
      .reduce((n, o) => n + (o.toString(2).match(/1/g)?.length ?? 0), 0);
    out.push(`${hexIp(f[1] as string)}/${mask}`);
  }
  return out;
}
