// `ss -H -tuln[p]` output. Used for two things: the IPV6_V6ONLY flag, which /proc/net does not
// carry (ss prints a dual-stack wildcard as `*:P` and a v6-only one as `[::]:P`), and the lab's
// recorded captures (ss-tulpn.txt), which name the owning pids.
import type { Proto, SocketState } from '../../model.js';
import { normalizeIp } from '../../util/ip.js';

export interface SsEntry {
  readonly proto: Proto;
  readonly state: SocketState;
  /** '*' is kept as '::' with dual=true */
  readonly ip: string;
  readonly port: number;
  readonly dualStack: boolean;
  readonly v6only: boolean | null;
  readonly users: readonly { comm: string; pid: number; fd: number }[];
  readonly inode: number | null;
  /** from -e (printed only when not 0) */
  readonly uid: number;
}

const STATE: Record<string, SocketState> = { LISTEN: 'LISTEN', UNCONN: 'UNCONN', ESTAB: 'ESTABLISHED' };

export function parseSs(text: string, defaultProto: Proto = 'tcp'): SsEntry[] {
  const out: SsEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('Netid')) continue;
    let f = line.split(/\s+/);
    // with a single -t or -u, ss leaves out the Netid column
    if (f[0] && STATE[f[0]] !== undefined) f = [defaultProto, ...f];
    const netid = f[0];
    if (netid !== 'tcp' && netid !== 'udp') continue;
    const local = f[4] ?? '';
    const colon = local.lastIndexOf(':');
    if (colon < 0) continue;
    const addr = local.slice(0, colon);
    const port = Number(local.slice(colon + 1));
    if (!Number.isInteger(port) || port < 0 || port > 65535) continue;
    let ip: string | null;
    let dualStack = false;
    let v6only: boolean | null = null;
    if (addr === '*') {
      ip = '::';
      dualStack = true;
      v6only = false;
    } else {
      ip = normalizeIp(addr);
      if (ip === '::') v6only = true;
    }
    if (ip === null) continue;
    const users: { comm: string; pid: number; fd: number }[] = [];
    for (const m of line.matchAll(/\("([^"]*)",pid=(\d+),fd=(\d+)\)/g)) {
      users.push({ comm: m[1] ?? '', pid: Number(m[2]), fd: Number(m[3]) });
    }
    const ino = /\bino:(\d+)/.exec(line);
    const v6 = /\bv6only:([01])\b/.exec(line);
    if (v6) v6only = v6[1] === '1';
    const uid = /\buid:(\d+)/.exec(line);
    out.push({
      proto: netid,
      state: STATE[f[1] ?? ''] ?? 'OTHER',
      ip,
      port,
      dualStack,
      v6only,
      users,
      inode: ino ? Number(ino[1]) : null,
      uid: uid ? Number(uid[1]) : 0,
    });
  }
  return out;
}
