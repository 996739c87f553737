// CIDR membership for IPv4 and IPv6 (BigInt keeps it exact for /0../128); pure.

function ipToBig(ip: string): { v: bigint; bits: number } | null {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(ip)) {
    const p = ip.split('.').map(Number);
    if (p.some((x) => x > 255)) return null;
    return { v: BigInt(((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!), bits: 32 };
  }
  if (!ip.includes(':')) return null;
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  if (tail === undefined && h.length !== 8) return null;
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  let v = 0n;
  for (const g of groups) v = (v << 16n) + BigInt(parseInt(g || '0', 16));
  return { v, bits: 128 };
}

/** is `ip` inside `cidr` (a.b.c.d/n or v6/n)? */
export function inCidr(ip: string, cidr: string): boolean {
  const [net, lenS] = cidr.split('/');
  const a = ipToBig(ip);
  const b = ipToBig(net ?? '');
  if (!a || !b || a.bits !== b.bits) return false;
  const len = BigInt(lenS === undefined ? a.bits : Number(lenS));
  const shift = BigInt(a.bits) - len;
  return a.v >> shift === b.v >> shift;
}
