// Ask the kernel whether a bind(2) would succeed, without listening and without sending: the bind
// probe's one system call. node:net cannot bind TCP without listen(), and no maintained package
// binds a socket with chosen options only, so this uses Node's own socket bindings:
// - TCP: tcp_wrap's bind/bind6 → libuv uv_tcp_bind, which always sets SO_REUSEADDR (as every engine
//   does on TCP: Go listeners, dockerd 28/29) and IPV6_V6ONLY with flag 1. libuv keeps an EADDRINUSE
//   from bind(2) as the handle's delayed error (reported at listen/connect); uv_tcp_getsockname
//   returns that delayed error first, so getsockname() tells the outcome without listen().
// - UDP: udp_wrap's bind/bind6 → uv_udp_bind, SO_REUSEADDR only with UV_UDP_REUSEADDR (Linux: not
//   SO_REUSEPORT), IPV6_V6ONLY with UV_UDP_IPV6ONLY; the errno comes back at once.
// Checked on this machine (strace and a holder without/with SO_REUSEADDR): see test/live/probe.test.ts.
import type { Proto } from '../model.js';

export interface BindAsk {
  readonly proto: Proto;
  readonly ip: string;
  readonly port: number;
  readonly reuseAddr: boolean;
  readonly v6only: boolean;
}

interface TcpHandle {
  bind(ip: string, port: number): number;
  bind6(ip: string, port: number, flags: number): number;
  getsockname(out: Record<string, unknown>): number;
  close(): void;
}
interface UdpHandle {
  bind(ip: string, port: number, flags: number): number;
  bind6(ip: string, port: number, flags: number): number;
  close(): void;
}
interface Bindings {
  tcp: { TCP: new (type: number) => TcpHandle; constants: { SOCKET: number } };
  udp: { UDP: new () => UdpHandle; constants: { UV_UDP_IPV6ONLY: number; UV_UDP_REUSEADDR: number } };
  errname(errno: number): string;
}

let bindings: Bindings | null | undefined;
function load(): Bindings | null {
  if (bindings !== undefined) return bindings;
  try {
    // process.binding is deprecated for userland but these three stay on its allow-list (Node 20-24)
    const b = (process as unknown as { binding(name: string): unknown }).binding;
    bindings = {
      tcp: b('tcp_wrap') as Bindings['tcp'],
      udp: b('udp_wrap') as Bindings['udp'],
      errname: (b('uv') as { errname(n: number): string }).errname,
    };
  } catch {
    bindings = null;
  }
  return bindings;
}

/** errno name of the bind (null = it succeeded), or throws when this Node has no socket bindings. */
export function kernelBind(a: BindAsk): string | null {
  const b = load();
  if (!b) throw Object.assign(new Error('this Node exposes no tcp_wrap/udp_wrap bindings'), { code: 'ENOSYS' });
  // libuv sets SO_REUSEADDR on every TCP bind: a TCP bind without it cannot be imitated here
  if (a.proto === 'tcp' && !a.reuseAddr)
    throw Object.assign(new Error('a TCP bind without SO_REUSEADDR cannot be imitated'), { code: 'ENOSYS' });
  const six = a.ip.includes(':');
  let rc: number;
  if (a.proto === 'tcp') {
    const h = new b.tcp.TCP(b.tcp.constants.SOCKET);
    try {
      rc = six ? h.bind6(a.ip, a.port, a.v6only ? 1 : 0) : h.bind(a.ip, a.port);
      if (rc === 0) {
        const out: Record<string, unknown> = {};
        rc = h.getsockname(out);
        // belt and braces: a socket that is not bound where asked did not get the port
        if (rc === 0 && out.port !== a.port) return 'EADDRINUSE';
      }
    } finally {
      h.close();
    }
  } else {
    const h = new b.udp.UDP();
    const flags =
      (a.reuseAddr ? b.udp.constants.UV_UDP_REUSEADDR : 0) | (six && a.v6only ? b.udp.constants.UV_UDP_IPV6ONLY : 0);
    try {
      rc = six ? h.bind6(a.ip, a.port, flags) : h.bind(a.ip, a.port, flags);
    } finally {
      h.close();
    }
  }
  return rc === 0 ? null : b.errname(rc);
}
