// The bind probe: ask the kernel the engine's own question. For each host IP and family the engine
// under diagnosis would bind for the asked port, bind a socket of that protocol with the options that
// engine sets (src/engines), never listen, never send, close at once. Also the any-state look at the
// port: every socket on it (bound-only, ESTABLISHED, SYN-SENT, TIME-WAIT …), so a refusal with no
// listener in sight can still be pinned on its owner.
import type { EngineInfo, Fact, HostInfo, ProbedBind, ProbeInfo, ProbeOutcome, Proto, Socket } from '../model.js';
import { hostBinder, semanticsFor } from '../engines/index.js';
import { compareVersions } from '../util/version.js';
import { fail, ok, errnoCode } from './fact.js';
import type { HostIO } from './host-io.js';
import { parseProcNet } from './parse/proc-net.js';

export interface ProbeRequest {
  readonly proto: Proto;
  /** null = the engine's default host IPs (0.0.0.0 and :: for Docker) */
  readonly ip: string | null;
  readonly port: number;
}

const OUTCOME: Record<string, ProbeOutcome> = {
  EADDRINUSE: 'in-use',
  EADDRNOTAVAIL: 'not-available',
  EAFNOSUPPORT: 'not-available',
  EACCES: 'denied',
  EPERM: 'denied',
};

export interface ProbeBinds {
  readonly engine: string;
  readonly binder: string;
  readonly binds: ProbedBind[];
  readonly skipped: ProbeInfo['skipped'][number][];
}

/** Bind as the engine would; pure apart from io.bindProbe. */
export function probeBinds(io: HostIO, requests: readonly ProbeRequest[], engine: EngineInfo | null): ProbeBinds {
  const sem = semanticsFor(engine);
  const binds: ProbedBind[] = [];
  const skipped: ProbeBinds['skipped'] = [];
  const ipsOf = (r: ProbeRequest): readonly string[] =>
    r.ip !== null ? [r.ip] : (sem?.defaultHostIps ?? ['0.0.0.0', '::']);
  if (!sem || !engine) {
    const why = engine
      ? `no engine table covers ${engine.product ?? 'docker'} ${engine.version}: which socket options to imitate is not known`
      : 'the engine could not be read: which socket options to imitate is not known';
    for (const r of requests) for (const ip of ipsOf(r)) skipped.push({ proto: r.proto, ip, port: r.port, why });
    return { engine: 'unknown', binder: 'unknown', binds, skipped };
  }
  const binder = hostBinder(sem, engine);
  for (const r of requests) {
    for (const ip of ipsOf(r)) {
      const opts = binder.opts?.[r.proto] ?? null;
      if (!opts) {
        skipped.push({
          proto: r.proto,
          ip,
          port: r.port,
          why: `${binder.holder}'s socket options are not known (${binder.source})`,
        });
        continue;
      }
      if (!io.bindProbe) {
        skipped.push({
          proto: r.proto,
          ip,
          port: r.port,
          why: 'this host view cannot bind (a replayed or fixture host)',
        });
        continue;
      }
      let errno: string | null;
      try {
        errno = io.bindProbe({ proto: r.proto, ip, port: r.port, reuseAddr: opts.reuseAddr, v6only: opts.v6only });
      } catch (e) {
        skipped.push({ proto: r.proto, ip, port: r.port, why: `cannot imitate the bind: ${(e as Error).message}` });
        continue;
      }
      binds.push({
        proto: r.proto,
        ip,
        port: r.port,
        reuseAddr: opts.reuseAddr,
        v6only: ip.includes(':') && opts.v6only,
        outcome: errno === null ? 'free' : (OUTCOME[errno] ?? 'failed'),
        errno,
      });
    }
    // rootless: dockerd binds again on the child IP inside RootlessKit's namespace, where only the
    // engine's own sockets live (the allocator and the model speak for those)
    if (sem.childBinder)
      skipped.push({
        proto: r.proto,
        ip: 'child IP',
        port: r.port,
        why: `${sem.childBinder.bindsIt}'s own bind inside RootlessKit's child network namespace is not probed (only the engine's sockets live there)`,
      });
  }
  return { engine: sem.id, binder: binder.bindsIt, binds, skipped };
}

// sock_diag (inet_diag) dump of TCP sockets in TCP_BOUND_INACTIVE (bit 13, kernel >= 6.3): bound but
// neither listening nor connected, which /proc/net/tcp and iproute2 < 6.3 do not list. Node cannot
// open AF_NETLINK sockets, so a few lines of Perl (perl-base is Essential on Debian) ask for them.
// Prints "family state uid inode ip port" per socket on the port.
export const BOUND_ONLY_PL = String.raw`use strict; use Socket qw(AF_INET AF_INET6 SOCK_DGRAM inet_ntop);
my $port = 0 + shift;
for my $fam (AF_INET, AF_INET6) {
  socket(my $s, 16, SOCK_DGRAM, 4) or die "socket: $!\n";
  my $req = pack('CCCCL', $fam, 6, 0, 0, 1 << 13) . ("\0" x 48);
  send($s, pack('LSSLL', 16 + length($req), 20, 0x301, 1, 0) . $req, 0) or die "send: $!\n";
  LOOP: while (1) {
    my $buf; defined(recv($s, $buf, 65536, 0)) or die "recv: $!\n";
    last if length($buf) < 16;
    while (length($buf) >= 16) {
      my ($len, $type) = unpack('LS', $buf);
      last LOOP if $type == 3;
      die "netlink error " . unpack('l', substr($buf, 16, 4)) . "\n" if $type == 2;
      my $b = substr($buf, 16, $len - 16);
      my ($f, $st, undef, undef, $sport) = unpack('CCCCn', $b);
      my ($uid, $inode) = unpack('LL', substr($b, 64, 8));
      print join(' ', $f == AF_INET ? 4 : 6, $st, $uid, $inode, inet_ntop($f, substr($b, 8, $f == AF_INET ? 4 : 16)), $sport), "\n" if $sport == $port;
      $buf = substr($buf, ($len + 3) & ~3);
    }
  }
}`;

export function parseBoundOnly(text: string): Socket[] {
  const out: Socket[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(' ');
    if (f.length !== 6) continue;
    const [fam, , uid, inode, ip, port] = f as [string, string, string, string, string, string];
    out.push({
      proto: 'tcp',
      family: fam === '6' ? 6 : 4,
      ip,
      port: Number(port),
      v6only: null,
      state: 'BOUND',
      inode: Number(inode),
      uid: Number(uid),
      pids: [],
    });
  }
  return out;
}

const TABLES: readonly [string, Proto, 4 | 6][] = [
  ['/proc/net/tcp', 'tcp', 4],
  ['/proc/net/tcp6', 'tcp', 6],
  ['/proc/net/udp', 'udp', 4],
  ['/proc/net/udp6', 'udp', 6],
];

/**
 * Every socket on these ports in any state (without owners: the caller's owner scan fills pids).
 * `known`: the same list, already asked of the kernel with a port filter (collectSocketsView's `ss -a`),
 * so the whole /proc/net tables (every socket of a busy host) are not printed and read a second time.
 */
export async function collectPortSockets(
  io: HostIO,
  ports: ReadonlySet<number>,
  host: HostInfo | null,
  timeoutMs: number,
  known: readonly Socket[] | null = null,
  /** the ports whose bound-only TCP sockets are dumped (default all): see refusedUnexplained */
  boundOnly: (sockets: readonly Socket[]) => ReadonlySet<number> = () => ports,
): Promise<{ sockets: Socket[]; looked: string[] }> {
  const sockets: Socket[] = [];
  const looked: string[] = [];
  if (known) {
    sockets.push(...known.filter((s) => ports.has(s.port)));
    looked.push('ss -a with a port filter (sock_diag) in every state (LISTEN, ESTABLISHED, SYN-SENT, TIME-WAIT, …)');
  } else {
    for (const [path, proto, family] of TABLES) {
      try {
        sockets.push(...parseProcNet(io.readText(path), proto, family, ports, true));
      } catch (e) {
        if (!(family === 6 && errnoCode(e) === 'absent')) looked.push(`${path} unreadable (${(e as Error).message})`);
      }
    }
    looked.push('/proc/net/{tcp,tcp6,udp,udp6} in every state (LISTEN, ESTABLISHED, SYN-SENT, TIME-WAIT, …)');
  }
  const kernel = host?.kernel ?? '';
  if (kernel && compareVersions(kernel, '6.3') < 0) {
    looked.push(
      `bound-only TCP sockets not listed: kernel ${kernel} < 6.3 cannot dump them (sock_diag TCP_BOUND_INACTIVE)`,
    );
    return { sockets, looked };
  }
  const dump = boundOnly(sockets);
  for (const port of ports) {
    if (!dump.has(port)) {
      looked.push(
        `bound-only TCP sockets on port ${port} not dumped: the kernel accepted the TCP binds there, or a listener explains the refusal`,
      );
      continue;
    }
    const r = await io.exec(['perl', '-e', BOUND_ONLY_PL, String(port)], { timeoutMs });
    if (r.error || r.code !== 0) {
      looked.push(
        `bound-only TCP sockets not listed: perl sock_diag dump ${r.error ?? `exited ${r.code}: ${r.stderr.trim().slice(0, 120)}`}`,
      );
      continue;
    }
    // an iproute2 >= 6.3 `ss -a` may list bound-only sockets itself: keep each inode once
    const seen = new Set(sockets.map((s) => s.inode).filter((i) => i > 0));
    sockets.push(...parseBoundOnly(r.stdout).filter((s) => s.inode === 0 || !seen.has(s.inode)));
    looked.push(`bound-only TCP sockets on port ${port} (sock_diag TCP_BOUND_INACTIVE)`);
  }
  return { sockets, looked };
}

/**
 * The ports where a bound-only TCP socket can be what refused the engine: a TCP bind there came back
 * EADDRINUSE with no TCP listener on that port to explain it, or no TCP bind was made at all (engine
 * unknown: nothing tells). Elsewhere the dump (a perl process) is skipped: a bind the kernel accepted
 * was blocked by nothing, and a listener already explains a refusal.
 */
export function refusedUnexplained(
  ports: ReadonlySet<number>,
  binds: readonly ProbedBind[],
  sockets: readonly Socket[],
): Set<number> {
  const out = new Set<number>();
  for (const port of ports) {
    const tcp = binds.filter((b) => b.proto === 'tcp' && b.port === port);
    const listened = sockets.some((s) => s.proto === 'tcp' && s.port === port && s.state === 'LISTEN');
    if (tcp.length === 0 || (tcp.some((b) => b.outcome === 'in-use') && !listened)) out.add(port);
  }
  return out;
}

export function probeFact(b: ProbeBinds, portSockets: readonly Socket[], looked: readonly string[]): Fact<ProbeInfo> {
  const src = `bind(2) as ${b.binder} would (${b.engine}), never listen; ${looked.length} socket views`;
  return ok({ engine: b.engine, binder: b.binder, binds: b.binds, skipped: b.skipped, portSockets, looked }, src);
}

export function probeOff<T>(why: string): Fact<T> {
  return fail('unsupported', why, 'bind probe');
}
