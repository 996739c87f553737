// Kernel, WSL flavour, sysctls and the legacy x_tables registry.
import type { Fact, HostInfo } from '../model.js';
import { errnoCode, fail, ok } from './fact.js';
import type { HostIO } from './host-io.js';
import { ifaceSubnets, parseDefaultIface, parseFibTrieLocal, parseIfInet6 } from './parse/proc-addrs.js';
import { inCidr } from '../util/cidr.js';

const SYSCTLS = [
  'net/ipv6/bindv6only',
  'net/ipv4/ip_unprivileged_port_start',
  'net/ipv4/ip_local_port_range',
  'net/ipv4/ip_forward',
  'net/netfilter/nf_conntrack_count',
  'net/netfilter/nf_conntrack_max',
];

function tryRead(io: HostIO, path: string): string | null {
  try {
    return io.readText(path).trim();
  } catch {
    return null;
  }
}

/** WSL1 kernels say "Microsoft" (capital M); WSL2 says "microsoft-standard". WSL_INTEROP exists only in WSL2. */
export function wslFlavour(
  osrelease: string,
  procVersion: string,
  env: Readonly<Record<string, string | undefined>>,
): 0 | 1 | 2 {
  const s = `${osrelease} ${procVersion}`;
  if (/microsoft-standard|WSL2/.test(s)) return 2;
  if (/Microsoft/.test(s)) return 1;
  if (/microsoft/i.test(s)) return env.WSL_INTEROP ? 2 : 1;
  return 0;
}

export function collectHost(io: HostIO): Fact<HostInfo> {
  const kernel = tryRead(io, '/proc/sys/kernel/osrelease') ?? '';
  const version = tryRead(io, '/proc/version') ?? '';
  // no procfs at all: every "none" below (legacy tables, sysctls) would be a guess
  if (!kernel && !version) {
    try {
      io.readdir('/proc');
    } catch (e) {
      return fail(errnoCode(e), `cannot read /proc: ${(e as Error).message}`, '/proc');
    }
  }
  const sysctl: Record<string, string> = {};
  for (const k of SYSCTLS) {
    const v = tryRead(io, `/proc/sys/${k}`);
    if (v !== null) sysctl[k.replace(/\//g, '.')] = v.replace(/\s+/g, ' ');
  }
  let hostNetns: string | null = null;
  try {
    hostNetns = io.readlink('/proc/1/ns/net');
  } catch {
    try {
      hostNetns = io.readlink('/proc/self/ns/net');
    } catch {
      /* no procfs */
    }
  }
  const names = (p: string): string[] => (tryRead(io, p) ?? '').split('\n').filter(Boolean);
  // /proc/net/ip_tables_names exists once the kernel has legacy x_tables (WSL2 kernels may not)
  const exists = (p: string): boolean => {
    try {
      io.readdir(p);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ENOTDIR';
    }
  };
  const legacySupported =
    tryRead(io, '/proc/net/ip_tables_names') !== null || exists('/sys/module/ip_tables')
      ? true
      : tryRead(io, '/proc/version') !== null
        ? false
        : null;
  const fib = tryRead(io, '/proc/net/fib_trie');
  const if6 = tryRead(io, '/proc/net/if_inet6');
  const route = tryRead(io, '/proc/net/route');
  const localAddrs = fib === null ? undefined : [...parseFibTrieLocal(fib), ...(if6 ? parseIfInet6(if6) : [])];
  const defaultIface = route === null ? null : parseDefaultIface(route);
  const subnets = route && defaultIface ? ifaceSubnets(route, defaultIface) : [];
  const defaultAddr = localAddrs?.find((a) => subnets.some((s) => inCidr(a, s))) ?? null;
  return ok(
    {
      kernel,
      ...(localAddrs ? { localAddrs } : {}),
      defaultIface,
      defaultAddr,
      wsl: wslFlavour(kernel, version, io.env),
      uid: io.uid,
      hostNetns,
      sysctl,
      legacyTables: { ip: names('/proc/net/ip_tables_names'), ip6: names('/proc/net/ip6_tables_names') },
      legacySupported,
    },
    '/proc/sys, /proc/version, /proc/net/ip*_tables_names',
  );
}
