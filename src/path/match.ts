// Evaluating one netfilter match against the packet as the model knows it: yes, no, or maybe
// (a field the model does not know, or a match it cannot evaluate). Maybe forks the walk.
import type { NfMatch } from '../model.js';
import { inCidr } from '../util/cidr.js';

export { inCidr };

export type Tri = 'yes' | 'no' | 'maybe';

export interface PacketState {
  readonly family: 4 | 6;
  readonly proto: string;
  /** null: not known (a client somewhere outside) */
  readonly saddr: string | null;
  /** null: "one of the host's own non-loopback addresses", not known which */
  readonly daddr: string | null;
  readonly sport: number | null;
  readonly dport: number;
  /** '' = none (locally generated); null = an outside interface whose name is not known */
  readonly iif: string | null;
  readonly oif: string | null;
  readonly natted: boolean;
}

export interface MatchEnv {
  /** is this address one of the host's own (addrtype LOCAL)? maybe when the snapshot has no address list */
  isLocal(ip: string | null): Tri;
  /** interfaces that surely are not where outside traffic arrives (lo, Docker bridges, veths) */
  isInternalIface(name: string): boolean;
}

const not = (t: Tri): Tri => (t === 'yes' ? 'no' : t === 'no' ? 'yes' : 'maybe');
const any = (ts: Tri[]): Tri => (ts.includes('yes') ? 'yes' : ts.includes('maybe') ? 'maybe' : 'no');

/** iptables `docker+` and nft `docker*` are prefix matches */
export function ifaceMatches(pattern: string, name: string): boolean {
  if (pattern.endsWith('+') || pattern.endsWith('*')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

function iface(names: readonly string[], actual: string | null, env: MatchEnv): Tri {
  if (actual !== null) return names.some((n) => ifaceMatches(n, actual)) ? 'yes' : 'no';
  // an outside interface of unknown name: not lo, not a Docker bridge, maybe anything else
  return any(names.map((n) => (env.isInternalIface(n.replace(/[+*]$/, '')) ? 'no' : 'maybe')));
}

function addr(cidrs: readonly string[], ip: string | null, env: MatchEnv, isDaddr: boolean): Tri {
  if (ip !== null) return cidrs.some((c) => inCidr(ip, c)) ? 'yes' : 'no';
  return any(
    cidrs.map((c) => {
      if (/\/0$/.test(c)) return 'yes';
      // the unknown destination is a local non-loopback address: never 127/8
      if (isDaddr && (c.startsWith('127.') || c === '::1/128')) return 'no';
      return 'maybe';
    }),
  );
}

export function evalMatch(m: NfMatch, p: PacketState, env: MatchEnv): Tri {
  let r: Tri;
  switch (m.k) {
    case 'iif':
      r = iface(m.names, p.iif, env);
      break;
    case 'oif':
      r = iface(m.names, p.oif, env);
      break;
    case 'saddr':
      r = addr(m.cidrs, p.saddr, env, false);
      break;
    case 'daddr':
      r = addr(m.cidrs, p.daddr, env, true);
      break;
    case 'proto':
      r = m.protos.some((x) => x === p.proto || x === 'all') ? 'yes' : 'no';
      break;
    case 'dport':
    case 'sport': {
      const port = m.k === 'dport' ? p.dport : p.sport;
      if (m.proto !== null && m.proto !== p.proto) {
        r = 'no';
        break;
      }
      r = port === null ? 'maybe' : m.ranges.some(([lo, hi]) => port >= lo && port <= hi) ? 'yes' : 'no';
      break;
    }
    case 'addrtype': {
      if (m.types.length === 1 && m.types[0] === 'LOCAL') r = env.isLocal(m.dir === 'dst' ? p.daddr : p.saddr);
      else r = 'maybe';
      break;
    }
    case 'ctstate': {
      // the model follows a connection's first packet
      const have = new Set(['NEW', ...(p.natted ? ['DNAT'] : [])]);
      r = m.states.some((s) => have.has(s)) ? 'yes' : 'no';
      break;
    }
    case 'unknown':
      return 'maybe';
  }
  return m.neg ? not(r) : r;
}

export function describeMatch(m: NfMatch): string {
  if (m.k === 'unknown') return m.text;
  const n = m.neg ? '! ' : '';
  switch (m.k) {
    case 'iif':
    case 'oif':
      return `${n}${m.k === 'iif' ? 'in' : 'out'} interface ${m.names.join(',')}`;
    case 'saddr':
    case 'daddr':
      return `${n}${m.k === 'saddr' ? 'source' : 'destination'} ${m.cidrs.join(',')}`;
    case 'proto':
      return `${n}protocol ${m.protos.join(',')}`;
    case 'dport':
    case 'sport':
      return `${n}${m.k} ${m.ranges.map(([a, b]) => (a === b ? String(a) : `${a}:${b}`)).join(',')}`;
    case 'addrtype':
      return `${n}${m.dir} address type ${m.types.join(',')}`;
    case 'ctstate':
      return `${n}ct state ${m.states.join(',')}`;
  }
}
