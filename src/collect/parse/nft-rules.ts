// `nft -j` rules → NfTable for the path model: native matches and verdicts, verdict maps
// (Docker 29's `oifname vmap @filter-forward-in-jumps`), xtables leftovers as unknown matches.
import type { NfChain, NfHook, NfMatch, NfRule, NfTable, NfVerdict } from '../../model.js';
import { normalizeIp } from '../../util/ip.js';
import { renderNftExpr } from './nft.js';

type J = Record<string, unknown>;
const obj = (v: unknown): J | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : null);

const HOOKS = new Set(['prerouting', 'input', 'forward', 'output', 'postrouting']);
const NAMED_PRIO: Record<string, number> = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
};

function cidrOf(v: unknown): string | null {
  if (typeof v === 'string') {
    const ip = normalizeIp(v);
    return ip ? `${ip}/${ip.includes(':') ? 128 : 32}` : null;
  }
  const p = obj(obj(v)?.prefix);
  if (p && typeof p.addr === 'string') return `${normalizeIp(p.addr) ?? p.addr}/${String(p.len)}`;
  return null;
}

function setItems(v: unknown): unknown[] {
  const o = obj(v);
  if (o && Array.isArray(o.set)) return o.set as unknown[];
  if (Array.isArray(v)) return v;
  return [v];
}

function portRanges(v: unknown): Array<[number, number]> | null {
  const out: Array<[number, number]> = [];
  for (const it of setItems(v)) {
    if (typeof it === 'number') out.push([it, it]);
    else {
      const r = obj(it)?.range;
      if (Array.isArray(r) && typeof r[0] === 'number' && typeof r[1] === 'number') out.push([r[0], r[1]]);
      else return null;
    }
  }
  return out;
}

function match(m: J, text: string): NfMatch {
  const unknown: NfMatch = { k: 'unknown', text };
  const op = m.op;
  if (op !== '==' && op !== '!=' && op !== 'in') return unknown;
  const neg = op === '!=';
  const left = obj(m.left);
  const right = m.right;
  const meta = obj(left?.meta);
  const payload = obj(left?.payload);
  const fib = obj(left?.fib);
  const ct = obj(left?.ct);
  if (meta?.key === 'iifname' || meta?.key === 'oifname') {
    const names = setItems(right).filter((x): x is string => typeof x === 'string');
    return names.length ? { k: meta.key === 'iifname' ? 'iif' : 'oif', neg, names } : unknown;
  }
  if (meta?.key === 'l4proto') {
    const protos = setItems(right).filter((x): x is string => typeof x === 'string');
    return protos.length ? { k: 'proto', neg, protos } : unknown;
  }
  if (payload && (payload.protocol === 'ip' || payload.protocol === 'ip6')) {
    if (payload.field === 'daddr' || payload.field === 'saddr') {
      const cidrs = setItems(right).map(cidrOf);
      if (cidrs.some((c) => c === null)) return unknown;
      return { k: payload.field, neg, cidrs: cidrs as string[] };
    }
    if (payload.field === 'protocol' || payload.field === 'nexthdr') {
      const protos = setItems(right).filter((x): x is string => typeof x === 'string');
      return protos.length ? { k: 'proto', neg, protos } : unknown;
    }
  }
  if (payload && (payload.field === 'dport' || payload.field === 'sport')) {
    const r = portRanges(right);
    if (!r) return unknown;
    const proto = payload.protocol === 'th' ? null : String(payload.protocol);
    return { k: payload.field, neg, ranges: r, proto };
  }
  if (fib && fib.result === 'type') {
    const flags = Array.isArray(fib.flags) ? fib.flags : [fib.flags];
    const dir = flags.includes('daddr') ? 'dst' : flags.includes('saddr') ? 'src' : null;
    // `fib daddr . iif type` asks about the input interface only: not the host-wide LOCAL test
    if (!dir || flags.length !== 1) return unknown;
    const types = setItems(right).filter((x): x is string => typeof x === 'string');
    return { k: 'addrtype', dir, neg, types: types.map((t) => t.toUpperCase()) };
  }
  if (ct?.key === 'state') {
    const states = setItems(right).filter((x): x is string => typeof x === 'string');
    return { k: 'ctstate', neg, states: states.map((s) => s.toUpperCase()) };
  }
  return unknown;
}

function verdictOf(o: J, maps: ReadonlyMap<string, J>): NfVerdict | null {
  if ('accept' in o) return { k: 'accept' };
  if ('drop' in o) return { k: 'drop' };
  if ('reject' in o) return { k: 'reject' };
  if ('return' in o) return { k: 'return' };
  if (o.jump) return { k: 'jump', chain: String(obj(o.jump)?.target) };
  if (o.goto) return { k: 'goto', chain: String(obj(o.goto)?.target) };
  const d = obj(o.dnat);
  if (d) {
    const ip = typeof d.addr === 'string' ? normalizeIp(d.addr) : null;
    return { k: 'dnat', ip, port: typeof d.port === 'number' ? d.port : null };
  }
  const r = obj(o.redirect);
  if (r) return { k: 'redirect', port: typeof r.port === 'number' ? r.port : null };
  const vm = obj(o.vmap);
  if (vm) {
    const key = obj(obj(vm.key)?.meta)?.key;
    if (key !== 'iifname' && key !== 'oifname') return { k: 'unknown', text: 'vmap' };
    let elems: unknown[] = [];
    if (typeof vm.data === 'string' && vm.data.startsWith('@'))
      elems = (maps.get(vm.data.slice(1))?.elem as unknown[]) ?? [];
    else elems = setItems(vm.data);
    const entries: { name: string; verdict: NfVerdict }[] = [];
    for (const e of elems) {
      const pair = Array.isArray(e) ? e : (obj(e)?.elem as unknown[] | undefined);
      if (!Array.isArray(pair) || typeof pair[0] !== 'string') continue;
      const v = obj(pair[1]);
      const inner = v ? verdictOf(v, maps) : null;
      if (inner) entries.push({ name: pair[0], verdict: inner });
    }
    return { k: 'vmap', key: key === 'iifname' ? 'iif' : 'oif', entries };
  }
  const xt = obj(o.xt);
  if (xt?.type === 'target') {
    if (xt.name === 'DNAT') return { k: 'dnat', ip: null, port: null };
    if (['MASQUERADE', 'SNAT', 'LOG', 'MARK', 'CONNMARK', 'NOTRACK', 'TRACE', 'CT'].includes(String(xt.name)))
      return { k: 'none' };
    return { k: 'unknown', text: `xt target ${String(xt.name)}` };
  }
  if ('masquerade' in o || 'snat' in o || 'queue' in o) return 'queue' in o ? { k: 'unknown', text: 'queue' } : null;
  return null;
}

/**
 * An xtables match (written by iptables-nft into a table nft also shows) carries no arguments in
 * JSON; nft's text listing translates the common ones, so the text decides when it can.
 */
function xtMatch(name: string, text: string | null): NfMatch {
  const unknown: NfMatch = { k: 'unknown', text: `xt match ${name}` };
  if (!text) return unknown;
  if (name === 'addrtype') {
    const m = /fib (daddr|saddr) type (!= )?(\w+)/.exec(text);
    if (m)
      return { k: 'addrtype', dir: m[1] === 'daddr' ? 'dst' : 'src', neg: !!m[2], types: [(m[3] ?? '').toUpperCase()] };
  }
  if (name === 'conntrack' || name === 'state') {
    const m = /ct state (!= )?([\w,]+)/.exec(text);
    if (m) return { k: 'ctstate', neg: !!m[1], states: (m[2] ?? '').split(',').map((x) => x.toUpperCase()) };
  }
  return unknown;
}

export interface NftRaw {
  readonly chains: Array<{ family: string; table: string; name: string; c: J }>;
  readonly rules: Array<{ family: string; table: string; chain: string; r: J }>;
  readonly maps: Array<{ family: string; table: string; m: J }>;
}

/** The tables of an `nft -j` listing, in the kernel's listing order (creation order). */
export function nftTables(
  raw: NftRaw,
  wanted: (family: string, table: string) => boolean,
  texts: ReadonlyMap<string, string> | null,
): NfTable[] {
  const order: string[] = [];
  const seen = new Set<string>();
  for (const c of raw.chains) {
    const k = `${c.family} ${c.table}`;
    if (!seen.has(k)) {
      seen.add(k);
      order.push(k);
    }
  }
  const out: NfTable[] = [];
  for (const key of order) {
    const [family, table] = key.split(' ') as [string, string];
    if (family !== 'ip' && family !== 'ip6' && family !== 'inet') continue;
    if (!wanted(family, table)) continue;
    const maps = new Map<string, J>();
    for (const m of raw.maps) if (m.family === family && m.table === table) maps.set(String(m.m.name), m.m);
    const byChain = new Map<string, NfRule[]>();
    const pos = new Map<string, number>();
    for (const { family: f, table: t, chain, r } of raw.rules) {
      if (f !== family || t !== table) continue;
      const i = pos.get(chain) ?? 0;
      pos.set(chain, i + 1);
      const handle = Number(r.handle);
      const text = texts?.get(`${family} ${table} ${handle}`) ?? null;
      const matches: NfMatch[] = [];
      let verdict: NfVerdict = { k: 'none' };
      for (const e of Array.isArray(r.expr) ? r.expr : []) {
        const o = obj(e);
        if (!o) continue;
        if (o.match) matches.push(match(obj(o.match) as J, renderNftExpr([o])));
        else if (o.xt && obj(o.xt)?.type === 'match') matches.push(xtMatch(String(obj(o.xt)?.name), text));
        else if ('limit' in o) matches.push({ k: 'unknown', text: 'limit' });
        else {
          const v = verdictOf(o, maps);
          if (v) verdict = v;
        }
      }
      const rule: NfRule = {
        matches,
        verdict,
        text: text ?? renderNftExpr(Array.isArray(r.expr) ? r.expr : []),
        position: i,
        handle,
        spec: null,
        comment: typeof r.comment === 'string' ? r.comment : null,
      };
      if (!byChain.has(chain)) byChain.set(chain, []);
      byChain.get(chain)?.push(rule);
    }
    const chains: NfChain[] = [];
    for (const { family: f, table: t, name, c } of raw.chains) {
      if (f !== family || t !== table) continue;
      const hook = typeof c.hook === 'string' && HOOKS.has(c.hook) ? (c.hook as NfHook) : null;
      const prio =
        typeof c.prio === 'number' ? c.prio : typeof c.prio === 'string' ? (NAMED_PRIO[c.prio] ?? null) : null;
      chains.push({
        name,
        hook,
        type: c.type === 'nat' || c.type === 'filter' || c.type === 'route' ? c.type : null,
        priority: hook ? prio : null,
        policy: c.policy === 'drop' ? 'drop' : hook ? 'accept' : null,
        rules: byChain.get(name) ?? [],
      });
    }
    out.push({ backend: 'nft', family, name: table, chains, portScoped: false });
  }
  return out;
}
