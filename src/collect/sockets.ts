// Listening TCP and bound UDP sockets of the host network namespace, from /proc/net.
import type { Fact, Family, Proto, Socket, SocketState } from '../model.js';
import { fail, ok, errnoCode } from './fact.js';
import type { HostIO } from './host-io.js';
import { parseProcNet } from './parse/proc-net.js';
import { parseSs, type SsEntry } from './parse/ss.js';

const TABLES: readonly [string, Proto, Family][] = [
  ['/proc/net/tcp', 'tcp', 4],
  ['/proc/net/tcp6', 'tcp', 6],
  ['/proc/net/udp', 'udp', 4],
  ['/proc/net/udp6', 'udp', 6],
];

const SS_STATE: Record<string, SocketState> = {
  ESTAB: 'ESTABLISHED',
  'SYN-SENT': 'SYN-SENT',
  'SYN-RECV': 'SYN-RECV',
  'NEW-SYN-RECV': 'SYN-RECV',
  'FIN-WAIT-1': 'FIN-WAIT-1',
  'FIN-WAIT-2': 'FIN-WAIT-2',
  'TIME-WAIT': 'TIME-WAIT',
  'CLOSE-WAIT': 'CLOSE-WAIT',
  'LAST-ACK': 'LAST-ACK',
  LISTEN: 'LISTEN',
  CLOSING: 'CLOSING',
};

/**
 * One `ss -a` line as /proc/net/{tcp,tcp6,udp,udp6} would have given it (parseProcNet with allStates):
 * the same state names (a TCP socket ss calls UNCONN is TCP_CLOSE), family from the table the socket is
 * in (a v4-mapped address is an AF_INET6 socket), v6only unknown, inode 0 when ss prints none (TIME-WAIT).
 */
function procLike(line: string, e: SsEntry): Socket {
  const st = line.trim().split(/\s+/)[1] ?? '';
  const state: SocketState =
    e.proto === 'udp'
      ? st === 'ESTAB'
        ? 'ESTABLISHED'
        : 'UNCONN'
      : st === 'UNCONN'
        ? 'CLOSE'
        : (SS_STATE[st] ?? 'OTHER');
  return {
    proto: e.proto,
    family: e.ip.includes(':') ? 6 : 4,
    ip: e.ip,
    port: e.port,
    v6only: null,
    state,
    uid: e.uid,
    inode: e.inode ?? 0,
    pids: [],
  };
}

export interface SocketsView {
  readonly listening: Fact<Socket[]>;
  /**
   * every socket on the asked ports in any state, when the kernel was asked with a port filter (ss): the
   * bind probe's any-state look then needs no second read of the whole /proc/net tables; null otherwise
   */
  readonly anyState: Socket[] | null;
}

/**
 * For a question about a few ports, ask the kernel to filter (sock_diag through `ss`, ~5 ms however
 * busy the host): /proc/net/tcp makes the kernel print every socket (16 ms per 5,000, growing with
 * the host). Without `ss`, fall back to /proc/net, which every Linux has.
 */
async function viaSs(
  io: HostIO,
  ports: ReadonlySet<number>,
): Promise<{ listening: Socket[]; anyState: Socket[] } | null> {
  const filter = ['(', ...[...ports].flatMap((p, i) => (i ? ['or', `sport = :${p}`] : [`sport = :${p}`])), ')'];
  const r = await io.exec(['ss', '-H', '-n', '-e', '-a', '-t', '-u', ...filter], { timeoutMs: 3000 });
  if (r.error || r.code !== 0) return null;
  const out: Socket[] = [];
  const anyState: Socket[] = [];
  const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
  for (const line of lines) {
    const e = parseSs(line)[0];
    if (!e || !ports.has(e.port)) continue;
    anyState.push(procLike(line, e));
    if (e.proto === 'tcp' && e.state !== 'LISTEN') continue;
    if (e.inode === null) continue;
    const family = e.ip.includes(':') && !e.ip.startsWith('::ffff:') ? 6 : 4;
    out.push({
      proto: e.proto,
      family,
      ip: e.ip,
      port: e.port,
      v6only: family === 6 && e.ip === '::' ? e.v6only : null,
      state: e.state,
      inode: e.inode,
      uid: e.uid,
      pids: [],
    });
  }
  return { listening: out, anyState };
}

/** sockets in use, from /proc/net/sockstat (cheap): decides whether the kernel-side filter pays off */
function socketsInUse(io: HostIO): number {
  try {
    const t = io.readText('/proc/net/sockstat');
    return Number(/TCP: inuse (\d+)/.exec(t)?.[1] ?? 0) + Number(/UDP: inuse (\d+)/.exec(t)?.[1] ?? 0);
  } catch {
    return Infinity;
  }
}

export async function collectSockets(io: HostIO, ports: ReadonlySet<number> | null): Promise<Fact<Socket[]>> {
  return (await collectSocketsView(io, ports)).listening;
}

/** The listeners, and (when the kernel filtered by port) every socket on the asked ports. */
export async function collectSocketsView(io: HostIO, ports: ReadonlySet<number> | null): Promise<SocketsView> {
  // below ~1,000 sockets reading /proc/net costs less than starting `ss`
  if (ports && ports.size <= 16 && socketsInUse(io) > 1000) {
    const s = await viaSs(io, ports);
    if (s)
      return { listening: ok(s.listening, `ss -H -n -e -a -t -u (sport filter, sock_diag)`), anyState: s.anyState };
  }
  return { listening: await fromProcNet(io, ports), anyState: null };
}

async function fromProcNet(io: HostIO, ports: ReadonlySet<number> | null): Promise<Fact<Socket[]>> {
  const out: Socket[] = [];
  const notes: string[] = [];
  // read synchronously: these files come 4 KB per read from the kernel, and each async chunk would be
  // a thread-pool round trip (measured: 16 ms sync vs 60-85 ms async for 5,000 sockets)
  const texts = TABLES.map(([path]) => {
    try {
      return io.readText(path);
    } catch (e) {
      return e as Error;
    }
  });
  for (const [i, [path, proto, family]] of TABLES.entries()) {
    const text = texts[i];
    if (text instanceof Error || typeof text !== 'string') {
      const e = text;
      // a kernel without IPv6 has no tcp6/udp6: that is a fact, not a failure
      if (family === 6 && errnoCode(e) === 'absent') {
        notes.push(`${path} absent (IPv6 disabled in this kernel)`);
        continue;
      }
      return fail(errnoCode(e), `cannot read ${path}: ${(e as Error).message}`, path);
    }
    // the kernel always prints the header: without it this is not the table (and not "no sockets")
    if (!/^\s*sl\s+local_address/.test(text))
      return fail('unparsable', `${path} does not look like a /proc/net socket table`, path);
    for (const sock of parseProcNet(text, proto, family, ports ?? undefined)) out.push(sock); // no spread: 100,000s of sockets
  }
  // IPV6_V6ONLY is not in /proc/net; `ss` reads it over sock_diag. Only asked when a [::] socket is in play.
  const wild6 = out.filter((s) => s.family === 6 && s.ip === '::');
  if (wild6.length === 0) return ok(out, '/proc/net/{tcp,tcp6,udp,udp6}', notes);
  const filter =
    ports && ports.size <= 16
      ? ['(', ...[...ports].flatMap((p, i) => (i ? ['or', `sport = :${p}`] : [`sport = :${p}`])), ')']
      : [];
  const r = await io.exec(['ss', '-H', '-n', '-l', '-e', '-t', '-u', '-6', ...filter], { timeoutMs: 3000 });
  if (r.error || r.code !== 0) {
    notes.push(
      `v6only unknown for [::] sockets: ss ${r.error ?? `exited ${r.code}`} (install iproute2 to tell dual-stack from v6-only holders)`,
    );
    return ok(out, '/proc/net/{tcp,tcp6,udp,udp6}', notes);
  }
  const byInode = new Map<number, boolean | null>();
  for (const e of parseSs(r.stdout)) if (e.inode !== null) byInode.set(e.inode, e.v6only);
  const merged = out.map((s) =>
    s.family === 6 && s.ip === '::' && byInode.has(s.inode) ? { ...s, v6only: byInode.get(s.inode) ?? null } : s,
  );
  return ok(merged, '/proc/net/{tcp,tcp6,udp,udp6} + ss -e (v6only)', notes);
}
