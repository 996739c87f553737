// walkPath(snapshot, packet): the first packet of a connection to host IP:PORT, followed through
// every table registered at each hook (raw, nat, filter of iptables-nft, iptables-legacy and native
// nft), jumps, gotos, returns and policies, to who answers at the end. Pure. A match the model cannot
// decide forks the walk, so the answer is a set of paths, each with what it assumed.
import type { Container, NfChain, NfHook, NfRule, NfTable, NfVerdict, Snapshot } from '../model.js';
import { buildIndex } from '../snapshot/index.js';
import { isWildcard } from '../util/ip.js';
import { allTables, hookPlan, type ChainRef } from './hooks.js';
import { describeMatch, evalMatch, ifaceMatches, inCidr, type MatchEnv, type PacketState, type Tri } from './match.js';
import type { Hop, Outcome, PacketSpec, PathResult, Walk } from './types.js';

interface St {
  p: PacketState;
  hops: Hop[];
  assumptions: string[];
}
type End =
  | { k: 'accept' }
  | { k: 'return' }
  | { k: 'dnat' }
  | { k: 'drop' | 'reject'; hop: Hop }
  | { k: 'unknown'; why: string };
interface Branch {
  st: St;
  end: End;
}

const MAX_BRANCHES = 256;
const MAX_DEPTH = 64;

const clone = (st: St): St => ({ p: { ...st.p }, hops: [...st.hops], assumptions: [...st.assumptions] });

interface Ctx {
  env: MatchEnv;
  budget: { n: number };
}

function hopOf(ref: ChainRef, chain: NfChain, hook: NfHook, r: NfRule | null, verdict: string): Hop {
  return {
    hook,
    backend: ref.table.backend,
    family: ref.table.family,
    table: ref.table.name,
    chain: chain.name,
    rule: r?.text ?? null,
    position: r?.position ?? null,
    handle: r?.handle ?? null,
    spec: r?.spec ?? null,
    verdict,
    comment: r?.comment ?? null,
  };
}

function verdictText(v: NfVerdict): string {
  switch (v.k) {
    case 'jump':
    case 'goto':
      return `${v.k} ${v.chain}`;
    case 'dnat':
      return v.ip ? `dnat to ${v.ip.includes(':') ? `[${v.ip}]` : v.ip}${v.port !== null ? `:${v.port}` : ''}` : 'dnat';
    case 'redirect':
      return `redirect${v.port !== null ? ` to :${v.port}` : ''}`;
    case 'vmap':
      return `vmap on ${v.key}`;
    case 'unknown':
      return v.text;
    default:
      return v.k;
  }
}

/** Run `chain` of `ref.table` from rule `from`; each branch ends in a verdict or falls off the end. */
function runChain(
  ctx: Ctx,
  st: St,
  ref: ChainRef,
  chain: NfChain,
  hook: NfHook,
  from: number,
  depth: number,
): Branch[] {
  if (depth > MAX_DEPTH)
    return [{ st, end: { k: 'unknown', why: `chain nesting deeper than ${MAX_DEPTH} at ${chain.name}` } }];
  for (let i = from; i < chain.rules.length; i++) {
    const r = chain.rules[i] as NfRule;
    let t: Tri = 'yes';
    const undecided: string[] = [];
    for (const m of r.matches) {
      const e = evalMatch(m, st.p, ctx.env);
      if (e === 'no') {
        t = 'no';
        break;
      }
      if (e === 'maybe') {
        t = 'maybe';
        undecided.push(describeMatch(m));
      }
    }
    if (t === 'no') continue;
    if (t === 'maybe') {
      if (++ctx.budget.n > MAX_BRANCHES)
        return [{ st, end: { k: 'unknown', why: `more than ${MAX_BRANCHES} undecidable rule combinations` } }];
      const yes = clone(st);
      yes.assumptions.push(`${chain.name}: "${r.text}" matches (${undecided.join('; ')})`);
      const no = clone(st);
      no.assumptions.push(`${chain.name}: "${r.text}" does not match (${undecided.join('; ')})`);
      return [
        ...apply(ctx, yes, ref, chain, hook, i, r.verdict, r, depth),
        ...runChain(ctx, no, ref, chain, hook, i + 1, depth),
      ];
    }
    return apply(ctx, st, ref, chain, hook, i, r.verdict, r, depth);
  }
  if (chain.hook) {
    const pol = chain.policy ?? 'accept';
    const hop = hopOf(ref, chain, hook, null, `policy ${pol}`);
    // a nat chain that translated nothing is noise in a trace; filter policies are always shown
    if (chain.type !== 'nat' || pol !== 'accept') st.hops.push(hop);
    return [{ st, end: pol === 'drop' ? { k: 'drop', hop } : { k: 'accept' } }];
  }
  return [{ st, end: { k: 'return' } }];
}

function apply(
  ctx: Ctx,
  st: St,
  ref: ChainRef,
  chain: NfChain,
  hook: NfHook,
  i: number,
  v: NfVerdict,
  r: NfRule,
  depth: number,
): Branch[] {
  const push = (text = verdictText(v)): Hop => {
    const h = hopOf(ref, chain, hook, r, text);
    st.hops.push(h);
    return h;
  };
  switch (v.k) {
    case 'none':
      return runChain(ctx, st, ref, chain, hook, i + 1, depth);
    case 'accept':
      push();
      return [{ st, end: { k: 'accept' } }];
    case 'drop':
    case 'reject':
      return [{ st, end: { k: v.k, hop: push() } }];
    case 'return':
      push();
      return [{ st, end: { k: 'return' } }];
    case 'jump':
    case 'goto': {
      const target = ref.table.chains.find((c) => c.name === v.chain);
      push();
      if (!target)
        return [{ st, end: { k: 'unknown', why: `chain ${v.chain} of ${ref.table.name} is not in the snapshot` } }];
      const sub = runChain(ctx, st, ref, target, hook, 0, depth + 1);
      if (v.k === 'goto') return sub;
      return sub.flatMap((b) => (b.end.k === 'return' ? runChain(ctx, b.st, ref, chain, hook, i + 1, depth) : [b]));
    }
    case 'dnat':
    case 'redirect': {
      if (chain.type !== null && chain.type !== 'nat' && !isNatTable(ref.table))
        return runChain(ctx, st, ref, chain, hook, i + 1, depth);
      push();
      if (v.k === 'dnat') {
        if (!v.ip) return [{ st, end: { k: 'unknown', why: `the target of "${r.text}" could not be decoded` } }];
        st.p = { ...st.p, daddr: v.ip, dport: v.port ?? st.p.dport, natted: true };
      } else {
        // REDIRECT: to the incoming interface's primary address (loopback for local traffic)
        const local = st.p.iif === '' ? (st.p.family === 4 ? '127.0.0.1' : '::1') : st.p.daddr;
        st.p = { ...st.p, daddr: local, dport: v.port ?? st.p.dport, natted: true };
      }
      return [{ st, end: { k: 'dnat' } }];
    }
    case 'vmap': {
      const actual = v.key === 'iif' ? st.p.iif : st.p.oif;
      for (const e of v.entries) {
        const yes =
          actual !== null
            ? ifaceMatches(e.name, actual)
            : !ctx.env.isInternalIface(e.name.replace(/\*$/, ''))
              ? null
              : false;
        if (yes === false) continue;
        if (yes === null) {
          const a = clone(st);
          a.assumptions.push(`${chain.name}: the interface is ${e.name}`);
          return [
            ...apply(ctx, a, ref, chain, hook, i, e.verdict, r, depth),
            ...runChain(ctx, st, ref, chain, hook, i + 1, depth),
          ];
        }
        return apply(ctx, st, ref, chain, hook, i, e.verdict, r, depth);
      }
      return runChain(ctx, st, ref, chain, hook, i + 1, depth);
    }
    case 'unknown':
      push();
      return [{ st, end: { k: 'unknown', why: `"${r.text}" has a target the model does not evaluate (${v.text})` } }];
  }
}

const isNatTable = (t: NfTable): boolean => t.name === 'nat';

type StageEnd = { st: St; end: { k: 'pass' } | { k: 'drop' | 'reject'; hop: Hop } | { k: 'unknown'; why: string } };

/** Every base chain at `hook`, in kernel order; `oifOf` recomputes the route after NAT. */
function runHook(
  ctx: Ctx,
  snap: Snapshot,
  tables: readonly NfTable[],
  st: St,
  hook: NfHook,
  oifOf: (p: PacketState) => string | null,
): StageEnd[] {
  const plan = hookPlan(snap, tables, st.p.family, hook);
  const go = (s: St, idx: number, nat: readonly ChainRef[]): StageEnd[] => {
    if (idx >= plan.items.length) return [{ st: s, end: { k: 'pass' } }];
    const item = plan.items[idx]!;
    const chains = item.kind === 'chain' ? [item.ref] : nat;
    const run = (cur: St, ci: number): StageEnd[] => {
      if (ci >= chains.length || (item.kind === 'nat' && cur.p.natted)) return go(cur, idx + 1, nat);
      const ref = chains[ci]!;
      cur.p = { ...cur.p, oif: hook === 'prerouting' || hook === 'input' ? '' : oifOf(cur.p) };
      return runChain(ctx, cur, ref, ref.chain, hook, 0, 0).flatMap((b): StageEnd[] => {
        switch (b.end.k) {
          case 'accept':
          case 'return':
          case 'dnat':
            return run(b.st, ci + 1);
          case 'drop':
          case 'reject':
            return [{ st: b.st, end: { k: b.end.k, hop: b.end.hop } }];
          case 'unknown':
            return [{ st: b.st, end: b.end }];
        }
      });
    };
    return run(s, 0);
  };
  return plan.natOrders.flatMap((o) => {
    const s = plan.natOrders.length > 1 ? clone(st) : st;
    if (o.assumption) s.assumptions.push(o.assumption);
    return go(s, 0, o.chains);
  });
}

/** Docker bridges by subnet: from containers' networks and Docker's MASQUERADE rules (`-s NET ! -o BR`). */
function bridges(containers: readonly Container[], tables: readonly NfTable[]): Array<{ cidr: string; name: string }> {
  const out: Array<{ cidr: string; name: string }> = [];
  for (const t of tables)
    for (const c of t.chains)
      for (const r of c.rules) {
        if (!/masquerade/i.test(r.text)) continue;
        const s = r.matches.find((m) => m.k === 'saddr' && !m.neg);
        const o = r.matches.find((m) => m.k === 'oif' && m.neg);
        if (s?.k === 'saddr' && o?.k === 'oif' && s.cidrs[0] && o.names[0] && !/\/32$/.test(s.cidrs[0]))
          out.push({ cidr: s.cidrs[0], name: o.names[0] });
      }
  for (const c of containers)
    for (const n of c.networks ?? []) {
      if (!n.prefixLen || out.some((b) => inCidr(n.ip, b.cidr))) continue;
      out.push({ cidr: `${n.ip}/${n.prefixLen}`, name: n.name === 'bridge' ? 'docker0' : `br-${n.id.slice(0, 12)}` });
    }
  return out;
}

/**
 * The bridge a container address sits behind, as this host's rules say (Docker's MASQUERADE
 * `-s NET ! -o BR` names a daemon's own `--bridge`), else the network's default name; null if no
 * Docker network holds the address.
 */
export function bridgeOfAddress(snap: Snapshot, ip: string): string | null {
  const containers = snap.containers.ok ? snap.containers.value : [];
  return bridges(containers, allTables(snap).tables).find((b) => inCidr(ip, b.cidr))?.name ?? null;
}

function outcomeKey(o: Outcome): string {
  switch (o.kind) {
    case 'container':
      return `container ${o.id} ${o.port}`;
    case 'docker-proxy':
      return `docker-proxy ${o.pid}`;
    case 'host-socket':
      return `socket ${o.pid ?? o.holder}`;
    case 'dropped':
      return `dropped ${o.verdict}`;
    case 'no-listener':
    case 'blackhole':
      return `${o.kind} ${o.ip}:${o.port}`;
    case 'own-loopback':
      return o.kind;
    case 'unknown':
      return `unknown ${o.why}`;
  }
}

export function describeOutcome(o: Outcome): string {
  switch (o.kind) {
    case 'container':
      return `container ${o.name} answers on ${o.ip}:${o.port}`;
    case 'docker-proxy':
      return `docker-proxy (pid ${o.pid}) accepts it and connects to ${o.container ? `container ${o.container.name} at ` : ''}${o.containerIp}:${o.containerPort}`;
    case 'host-socket':
      return `${o.comm ?? o.holder}${o.pid !== null ? ` (pid ${o.pid})` : ''} on the host answers (${o.ip}:${o.port})`;
    case 'dropped':
      return `${o.verdict === 'reject' ? 'rejected' : 'dropped'} by ${o.by.backend} ${o.by.table} ${o.by.chain}: ${o.by.rule ?? o.by.verdict}`;
    case 'no-listener':
      return `nothing listens on ${o.ip}:${o.port} (connection refused)`;
    case 'blackhole':
      return `sent to ${o.ip}:${o.port}, which no running container has: nobody answers (the client times out)`;
    case 'own-loopback':
      return `localhost inside container ${o.container} is the container itself, not the host`;
    case 'unknown':
      return `undecided: ${o.why}`;
  }
}

/** The host's own non-loopback address to use when the client's target is not given. */
function hostAddr(snap: Snapshot, family: 4 | 6, gateways: ReadonlySet<string>): string | null {
  const preferred = snap.host.ok ? snap.host.value.defaultAddr : null;
  if (family === 4 && preferred) return preferred;
  const addrs = snap.host.ok ? (snap.host.value.localAddrs ?? []) : [];
  const fam = (ip: string): boolean => (family === 4 ? !ip.includes(':') : ip.includes(':'));
  return (
    addrs.find((a) => fam(a) && !a.startsWith('127.') && a !== '::1' && !gateways.has(a) && !a.startsWith('fe80')) ??
    null
  );
}

export function walkPath(snap: Snapshot, spec: PacketSpec): Walk {
  const family = spec.family ?? (spec.daddr?.includes(':') ? 6 : 4);
  const { tables, missing } = allTables(snap);
  const containers = snap.containers.ok ? snap.containers.value : [];
  const index = buildIndex(snap, { proto: spec.proto, ip: null, port: spec.port });
  const brs = bridges(containers, tables);
  const gateways = new Set(containers.flatMap((c) => (c.networks ?? []).map((n) => n.gateway)).filter(Boolean));
  const local = snap.host.ok ? snap.host.value.localAddrs : undefined;
  const defaultIface = snap.host.ok ? (snap.host.value.defaultIface ?? null) : null;
  const notes = [...missing.map((m) => `not read: ${m}`)];
  const env: MatchEnv = {
    isLocal: (ip) => {
      if (ip === null) return 'yes';
      if (ip.startsWith('127.') || ip === '::1') return 'yes';
      if (local) return local.includes(ip) ? 'yes' : 'no';
      if (gateways.has(ip)) return 'yes';
      if (index.containerByIp.has(ip) || brs.some((b) => inCidr(ip, b.cidr))) return 'no';
      return 'maybe';
    },
    isInternalIface: (n) => n === 'lo' || brs.some((b) => b.name === n) || /^(docker|br-|veth)/.test(n),
  };
  const isLocalAddr = (ip: string | null): boolean => env.isLocal(ip) !== 'no' && !(ip && index.containerByIp.has(ip));
  const route = (p: PacketState): string | null => {
    if (isLocalAddr(p.daddr)) return 'lo';
    const b = p.daddr ? brs.find((x) => inCidr(p.daddr as string, x.cidr)) : undefined;
    return b?.name ?? defaultIface;
  };
  const ctx: Ctx = { env, budget: { n: 0 } };

  // the packet as it leaves the client
  let saddr: string | null = null;
  let daddr: string | null = spec.daddr ?? null;
  let iif: string | null = defaultIface;
  let start: 'prerouting' | 'output' = 'prerouting';
  if (spec.from.kind === 'outside') {
    const addr = snap.host.ok ? snap.host.value.defaultAddr : null;
    if (!daddr && addr && family === 4) {
      daddr = addr;
      notes.push(
        `outside clients are taken to connect to ${addr} (the host's address on the default route's interface)`,
      );
    }
    if (defaultIface)
      notes.push(`outside traffic is taken to arrive on ${defaultIface} (the default route's interface)`);
    else notes.push('the interface outside traffic arrives on is not known');
  } else if (spec.from.kind === 'host') {
    start = 'output';
    iif = '';
    if (spec.from.loopback) daddr = daddr ?? (family === 4 ? '127.0.0.1' : '::1');
    else daddr = daddr ?? hostAddr(snap, family, gateways);
    saddr = daddr;
  } else {
    const want = spec.from.name;
    const c = containers.find((x) => x.name === want || x.id.startsWith(want));
    const wantNet = spec.from.network;
    const net = wantNet ? c?.networks?.find((n) => n.name === wantNet) : c?.networks?.[0];
    if (!c || !net) {
      const why = !c ? `no container named ${want}` : `container ${c.name} has no IPv4 network (host network or none)`;
      return {
        spec,
        packet: { saddr, daddr, iif, dport: spec.port },
        paths: [],
        outcome: { kind: 'unknown', why },
        notes,
      };
    }
    if (daddr && (daddr.startsWith('127.') || daddr === '::1' || daddr === 'localhost')) {
      const outcome: Outcome = {
        kind: 'own-loopback',
        container: c.name,
        instead: [
          `host.docker.internal:${spec.port} (run with --add-host=host.docker.internal:host-gateway)`,
          `${net.gateway}:${spec.port} (the gateway of network ${net.name})`,
        ],
      };
      return {
        spec,
        packet: { saddr: net.ip, daddr, iif: 'lo', dport: spec.port },
        paths: [{ hops: [], outcome, assumptions: [] }],
        outcome,
        notes,
      };
    }
    saddr = net.ip;
    daddr = daddr ?? net.gateway;
    iif = brs.find((b) => inCidr(net.ip, b.cidr))?.name ?? null;
  }
  const packet = { saddr, daddr, iif, dport: spec.port };
  if (missing.length) {
    const outcome: Outcome = { kind: 'unknown', why: `part of the firewall could not be read (${missing.join('; ')})` };
    return { spec, packet, paths: [], outcome, notes };
  }
  const st: St = {
    p: { family, proto: spec.proto, saddr, daddr, sport: null, dport: spec.port, iif, oif: '', natted: false },
    hops: [],
    assumptions: [],
  };
  const finish = (e: StageEnd): PathResult[] => {
    if (e.end.k === 'drop' || e.end.k === 'reject')
      return [
        {
          hops: e.st.hops,
          assumptions: e.st.assumptions,
          outcome: { kind: 'dropped', verdict: e.end.k, by: e.end.hop },
        },
      ];
    if (e.end.k === 'unknown')
      return [{ hops: e.st.hops, assumptions: e.st.assumptions, outcome: { kind: 'unknown', why: e.end.why } }];
    return [];
  };
  const deliverLocal = (s: St): PathResult[] =>
    runHook(ctx, snap, tables, s, 'input', route).flatMap((e) =>
      e.end.k === 'pass'
        ? [{ hops: e.st.hops, assumptions: e.st.assumptions, outcome: answer(snap, index, e.st.p, family) }]
        : finish(e),
    );
  const deliverAway = (s: St): PathResult => {
    const ip = s.p.daddr ?? '';
    const c = index.containerByIp.get(ip);
    const outcome: Outcome = c
      ? { kind: 'container', id: c.id, name: c.name, ip, port: s.p.dport }
      : brs.some((b) => inCidr(ip, b.cidr))
        ? { kind: 'blackhole', ip, port: s.p.dport }
        : {
            kind: 'unknown',
            why: `forwarded to ${ip}:${s.p.dport}, which is not on a Docker network of this host (another host or VM)`,
          };
    return { hops: s.hops, assumptions: s.assumptions, outcome };
  };
  let paths: PathResult[];
  if (start === 'prerouting') {
    paths = runHook(ctx, snap, tables, st, 'prerouting', route).flatMap((e) => {
      if (e.end.k !== 'pass') return finish(e);
      if (isLocalAddr(e.st.p.daddr)) return deliverLocal(e.st);
      e.st.p = { ...e.st.p, oif: route(e.st.p) };
      return runHook(ctx, snap, tables, e.st, 'forward', route).flatMap((f) =>
        f.end.k === 'pass' ? [deliverAway(f.st)] : finish(f),
      );
    });
  } else {
    paths = runHook(ctx, snap, tables, st, 'output', route).flatMap((e) => {
      if (e.end.k !== 'pass') return finish(e);
      if (isLocalAddr(e.st.p.daddr)) {
        e.st.p = { ...e.st.p, iif: 'lo' };
        return deliverLocal(e.st);
      }
      return [deliverAway(e.st)];
    });
  }
  const keys = new Set(paths.map((p) => outcomeKey(p.outcome)));
  const outcome: Outcome =
    paths.length === 0
      ? { kind: 'unknown', why: 'no path could be followed' }
      : keys.size === 1
        ? (paths[0] as PathResult).outcome
        : {
            kind: 'unknown',
            why: `it depends: ${paths.map((p) => `${describeOutcome(p.outcome)} if ${p.assumptions.join(' and ') || 'nothing else'}`).join('; or ')}`,
          };
  return { spec, packet, paths, outcome, notes };
}

/** Who answers a packet delivered locally to daddr:dport. */
function answer(snap: Snapshot, index: ReturnType<typeof buildIndex>, p: PacketState, family: 4 | 6): Outcome {
  if (!snap.sockets.ok) return { kind: 'unknown', why: `sockets could not be read (${snap.sockets.error.message})` };
  const proto = p.proto === 'udp' ? 'udp' : 'tcp';
  const cands = snap.sockets.value.filter(
    (s) => s.proto === proto && s.port === p.dport && (proto === 'udp' ? s.state === 'UNCONN' : s.state === 'LISTEN'),
  );
  const fits = (ip: string): boolean =>
    (family === 4 && (ip === '0.0.0.0' || (ip === '::' && cands.some((s) => s.ip === '::' && s.v6only === false)))) ||
    (family === 6 && ip === '::');
  const exact = p.daddr ? cands.filter((s) => s.ip === p.daddr) : [];
  const wild = cands.filter(
    (s) => isWildcard(s.ip) && fits(s.ip) && (s.ip !== '::' || family === 6 || s.v6only === false),
  );
  const hit = exact[0] ?? wild[0];
  const shown = p.daddr ?? 'the host address';
  if (!hit) {
    if (p.daddr === null && cands.some((s) => !isWildcard(s.ip) && !s.ip.startsWith('127.')))
      return {
        kind: 'unknown',
        why: `a listener on port ${p.dport} is bound to a specific address; which host address the client uses decides`,
      };
    return { kind: 'no-listener', ip: shown, port: p.dport };
  }
  const o = index.ownersOf(hit)[0];
  if (!o || o.kind === 'unseen')
    return { kind: 'host-socket', holder: 'unseen', pid: null, comm: null, ip: hit.ip, port: hit.port };
  if (o.kind === 'docker-proxy' && o.args)
    return {
      kind: 'docker-proxy',
      pid: o.proc.pid,
      containerIp: o.args.containerIp,
      containerPort: o.args.containerPort,
      container: o.container ? { id: o.container.id, name: o.container.name } : null,
    };
  const holder = o.kind === 'docker-proxy' ? 'process' : o.kind;
  return { kind: 'host-socket', holder, pid: o.proc.pid, comm: o.proc.comm, ip: hit.ip, port: hit.port };
}
