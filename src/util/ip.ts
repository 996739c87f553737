// Address helpers. Hand-written because the kernel's /proc/net hex layout and RFC 5952
// canonical IPv6 text are small, fixed formats; no maintained library covers the /proc side.
import type { Bind, Family, Proto, Socket } from '../model.js';

export const WILDCARD4 = '0.0.0.0';
export const WILDCARD6 = '::';

// node:net's validators cost ~9 ms at first use (module load and a large regexp): too much for a
// CLI whose budget is ~100 ms, so these two small checks are written out.
export function isIPv4(s: string): boolean {
  const p = s.split('.');
  return p.length === 4 && p.every((x) => /^\d{1,3}$/.test(x) && Number(x) <= 255 && (x === '0' || !x.startsWith('0')));
}

export function isIPv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':') || s.includes(':::')) return false;
  if ((s.startsWith(':') && !s.startsWith('::')) || (s.endsWith(':') && !s.endsWith('::'))) return false;
  const dbl = s.split('::').length - 1;
  if (dbl > 1) return false;
  let body = s;
  let extra = 0;
  const v4 = /:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(s);
  if (v4) {
    if (!isIPv4(v4[1] as string)) return false;
    body = s.slice(0, s.length - (v4[1] as string).length - 1) + (s.endsWith(`::${v4[1]}`) ? ':' : '');
    extra = 2;
  }
  const groups = body.split(':').filter((g, i, a) => !(g === '' && (i === 0 || i === a.length - 1 || dbl)));
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const n = groups.length + extra;
  return dbl ? n <= 7 : n === 8;
}

export function isWildcard(ip: string): boolean {
  return ip === WILDCARD4 || ip === WILDCARD6;
}

/** Strip brackets, zone ids and CIDR /32 or /128 suffixes; canonicalise IPv6. Returns null if not an IP. */
export function normalizeIp(raw: string): string | null {
  let s = raw.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  s = s.replace(/\/(32|128)$/, '');
  const pct = s.indexOf('%');
  if (pct >= 0) s = s.slice(0, pct);
  if (s === '*') return null;
  if (isIPv4(s)) return s;
  if (isIPv6(s)) return formatIpv6(parseIpv6(s));
  return null;
}

export function familyOf(ip: string): Family {
  return ip.includes(':') && !isV4Mapped(ip) ? 6 : 4;
}

function isV4Mapped(ip: string): boolean {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(ip);
}

/** '::ffff:1.2.3.4' → '1.2.3.4'; anything else unchanged */
export function unmapV4(ip: string): string {
  return isV4Mapped(ip) ? ip.slice(7) : ip;
}

function parseIpv6(s: string): number[] {
  // returns 8 16-bit groups
  let tail: number[] = [];
  const v4 = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(s);
  if (v4 && v4[1]) {
    const o = v4[1].split('.').map(Number);
    tail = [((o[0] ?? 0) << 8) | (o[1] ?? 0), ((o[2] ?? 0) << 8) | (o[3] ?? 0)];
    s = s.slice(0, s.length - v4[1].length) + '0:0';
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':').map((x) => parseInt(x, 16)) : [];
  const r = rest !== undefined && rest !== '' ? rest.split(':').map((x) => parseInt(x, 16)) : [];
  const fill = rest !== undefined ? new Array(8 - h.length - r.length).fill(0) : [];
  const groups = [...h, ...fill, ...r];
  if (tail.length) groups.splice(6, 2, ...tail);
  return groups;
}

/** RFC 5952 text; IPv4-mapped addresses keep dotted form. */
export function formatIpv6(g: readonly number[]): string {
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    const a = g[6] ?? 0;
    const b = g[7] ?? 0;
    return `::ffff:${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
  }
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Decode a /proc/net/{tcp,udp}[6] address field ("0100007F" or 32 hex digits), host byte order (little-endian). */
export function decodeProcNetAddr(hex: string): string {
  if (hex.length === 8) {
    const n = parseInt(hex, 16);
    return `${n & 255}.${(n >>> 8) & 255}.${(n >>> 16) & 255}.${(n >>> 24) & 255}`;
  }
  const groups: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    // each 32-bit word is stored in host order: reverse its bytes
    const b = [word.slice(6, 8), word.slice(4, 6), word.slice(2, 4), word.slice(0, 2)].map((x) => parseInt(x, 16));
    groups.push(((b[0] ?? 0) << 8) | (b[1] ?? 0), ((b[2] ?? 0) << 8) | (b[3] ?? 0));
  }
  return formatIpv6(groups);
}

export function displayAddr(ip: string, port: number): string {
  return familyOf(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export function displayBind(b: Pick<Bind, 'ip' | 'port' | 'proto'>): string {
  return `${displayAddr(b.ip, b.port)}/${b.proto}`;
}

export type Overlap = 'yes' | 'maybe' | 'no';

/**
 * Would a new bind by dockerd/docker-proxy on `req` be refused by the kernel because of `held`?
 * The requester is Go: tcp6/udp6 wildcard listeners set IPV6_V6ONLY, and UDP sockets get no
 * SO_REUSEADDR (Docker <= 28), so any bound UDP socket on the port collides. For TCP only
 * listening sockets matter (Go sets SO_REUSEADDR, which lets it bind over TIME_WAIT/ESTABLISHED).
 */
export function bindOverlap(req: { proto: Proto; ip: string; port: number }, held: Socket): Overlap {
  if (req.proto !== held.proto || req.port !== held.port) return 'no';
  if (held.proto === 'tcp' && held.state !== 'LISTEN') return 'no';
  const reqIp = unmapV4(req.ip);
  const heldIp = unmapV4(held.ip);
  const reqFam = familyOf(reqIp);
  const heldFam = familyOf(heldIp);
  if (reqFam === 4 && heldFam === 4) {
    return reqIp === heldIp || reqIp === WILDCARD4 || heldIp === WILDCARD4 ? 'yes' : 'no';
  }
  if (reqFam === 6 && heldFam === 6) {
    return reqIp === heldIp || reqIp === WILDCARD6 || heldIp === WILDCARD6 ? 'yes' : 'no';
  }
  if (reqFam === 4 && heldFam === 6) {
    // only a dual-stack [::] socket covers IPv4
    if (heldIp !== WILDCARD6) return 'no';
    if (held.v6only === true) return 'no';
    return held.v6only === false ? 'yes' : 'maybe';
  }
  // requester is v6 (v6only) and the holder is v4: no overlap
  return 'no';
}

/**
 * The kernel's view with the requester's SO_REUSEADDR known (src/engines): a listener always
 * collides; any other bound socket (UDP, or TCP bound-only, ESTABLISHED, TIME-WAIT …) collides when
 * the requester lacks SO_REUSEADDR, and otherwise only when the holder lacks it, which /proc cannot
 * show (`reuseDependent`: only the bind probe can tell). `reuseAddr` null = the requester is unknown.
 */
export function kernelOverlap(
  req: { proto: Proto; ip: string; port: number },
  held: Socket,
  reuseAddr: boolean | null,
): { overlap: Overlap; reuseDependent: boolean } {
  const addr = bindOverlap(req, held.state === 'LISTEN' ? held : { ...held, state: 'LISTEN' });
  if (addr === 'no') return { overlap: 'no', reuseDependent: false };
  if (held.proto === 'tcp' && held.state === 'LISTEN') return { overlap: addr, reuseDependent: false };
  return { overlap: addr, reuseDependent: reuseAddr !== false };
}

/** The host IPs `docker run -p PORT:...` binds when no IP is given. */
export function requestedIps(ip: string | null): string[] {
  return ip === null ? [WILDCARD4, WILDCARD6] : [ip];
}

/** The address as a number (IPv4: 32 bits, IPv6: 128 bits), or null when it is not an IP. */
export function ipBits(raw: string): { family: Family; n: bigint } | null {
  const ip = normalizeIp(raw);
  if (ip === null) return null;
  if (isIPv4(ip)) return { family: 4, n: BigInt(ip.split('.').reduce((a, o) => a * 256 + Number(o), 0)) };
  return { family: 6, n: parseIpv6(ip).reduce((a, g) => (a << 16n) | BigInt(g), 0n) };
}

/** Prefix length of `ip` inside `cidr` ('10.0.0.0/8', 'fd00::/64', a bare address = host route), or -1 when outside. */
export function prefixMatch(ip: string, cidr: string): number {
  const [net, len] = cidr.split('/') as [string, string | undefined];
  const a = ipBits(ip);
  const b = ipBits(net);
  if (!a || !b || a.family !== b.family) return -1;
  const width = a.family === 4 ? 32 : 128;
  const l = len === undefined ? width : Number(len);
  if (!Number.isInteger(l) || l < 0 || l > width) return -1;
  const shift = BigInt(width - l);
  return a.n >> shift === b.n >> shift ? l : -1;
}
