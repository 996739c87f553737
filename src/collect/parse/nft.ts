// `nft -j list ruleset` → DNAT rules as data. The JSON keeps native expressions, but a rule
// written by iptables-nft with an xtables target shows only `{"xt":{"name":"DNAT"}}` with no
// destination; `nft -a list ruleset` text does decode it, so the text (when given) fills the gap.
import type { DnatRule, FirewallView, Proto } from '../../model.js';
import { normalizeIp } from '../../util/ip.js';
import { nftTables, type NftRaw } from './nft-rules.js';

type J = Record<string, unknown>;
const obj = (v: unknown): J | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : null);

interface ChainInfo {
  family: string;
  table: string;
  name: string;
  hook: string | null;
  type: string | null;
  prio: number | null;
}
interface RuleInfo {
  family: string;
  table: string;
  chain: string;
  handle: number;
  expr: unknown[];
  comment: string | null;
}

/** nft prints priorities as numbers in JSON; text uses names (dstnat = -100, srcnat = 100, raw = -300). */
const NAMED_PRIO: Record<string, number> = {
  raw: -300,
  mangle: -150,
  dstnat: -100,
  filter: 0,
  security: 50,
  srcnat: 100,
};

/** handle → rule text, from `nft -a list ruleset` (counters stripped). Keyed "family table handle". */
export function parseNftTextHandles(text: string): Map<string, string> {
  const map = new Map<string, string>();
  let fam = '';
  let table = '';
  for (const raw of text.split('\n')) {
    const t = /^table (\w+) (\S+) \{/.exec(raw);
    if (t) {
      fam = t[1] ?? '';
      table = t[2] ?? '';
      continue;
    }
    const r = /^\s+(.*?)\s+# handle (\d+)$/.exec(raw);
    if (r && !/^(chain|set|map)\s/.test(r[1] ?? '')) {
      map.set(`${fam} ${table} ${r[2]}`, (r[1] ?? '').replace(/ counter packets \d+ bytes \d+/, ' counter'));
    }
  }
  return map;
}

function describeRight(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number')
    return typeof v === 'string' && !/^[\d.:a-f]+$/i.test(v) ? `"${v}"` : String(v);
  const o = obj(v);
  if (o?.prefix) {
    const p = obj(o.prefix);
    return `${String(p?.addr)}/${String(p?.len)}`;
  }
  if (o?.range && Array.isArray(o.range)) return `${String(o.range[0])}-${String(o.range[1])}`;
  if (o?.set && Array.isArray(o.set)) return `{ ${o.set.map(describeRight).join(', ')} }`;
  return JSON.stringify(v);
}

/** A readable nft-syntax rendering of a rule's expressions (used when no text dump is at hand). */
export function renderNftExpr(expr: readonly unknown[]): string {
  const parts: string[] = [];
  for (const e of expr) {
    const o = obj(e);
    if (!o) continue;
    const m = obj(o.match);
    if (m) {
      const left = obj(m.left);
      const op = m.op === '==' || m.op === 'in' ? '' : ` ${String(m.op)}`;
      let l = JSON.stringify(m.left);
      if (left?.meta) l = String(obj(left.meta)?.key);
      else if (left?.payload) {
        const p = obj(left.payload);
        l = `${String(p?.protocol)} ${String(p?.field)}`;
      } else if (left?.fib) {
        const f = obj(left.fib);
        l = `fib ${(f?.flags as string[] | undefined)?.join(' . ') ?? ''} type`;
      }
      parts.push(`${l}${op} ${describeRight(m.right)}`);
    } else if ('counter' in o) parts.push('counter');
    else if (o.dnat) {
      const d = obj(o.dnat);
      parts.push(`dnat to ${String(d?.addr)}${d?.port !== undefined ? `:${String(d.port)}` : ''}`);
    } else if (o.jump) parts.push(`jump ${String(obj(o.jump)?.target)}`);
    else if (o.goto) parts.push(`goto ${String(obj(o.goto)?.target)}`);
    else if (o.xt) parts.push(`xt ${String(obj(o.xt)?.type)} ${String(obj(o.xt)?.name)}`);
    else parts.push(Object.keys(o)[0] ?? '');
  }
  return parts.join(' ');
}

interface Extracted {
  proto: Proto | null;
  dport: number | null;
  dportEnd: number | null;
  daddr: string | null;
  toIp: string | null;
  toPort: number | null;
  xtDnat: boolean;
}

function extract(expr: readonly unknown[]): Extracted {
  const x: Extracted = {
    proto: null,
    dport: null,
    dportEnd: null,
    daddr: null,
    toIp: null,
    toPort: null,
    xtDnat: false,
  };
  for (const e of expr) {
    const o = obj(e);
    if (!o) continue;
    const m = obj(o.match);
    if (m) {
      const left = obj(m.left);
      const p = obj(left?.payload);
      const meta = obj(left?.meta);
      if (
        p &&
        (p.protocol === 'tcp' || p.protocol === 'udp' || p.protocol === 'th') &&
        p.field === 'dport' &&
        (m.op === '==' || m.op === 'in')
      ) {
        if (p.protocol !== 'th') x.proto = p.protocol as Proto;
        const r = m.right;
        const ro = obj(r);
        if (typeof r === 'number') {
          x.dport = r;
          x.dportEnd = r;
        } else if (ro?.range && Array.isArray(ro.range)) {
          x.dport = Number(ro.range[0]);
          x.dportEnd = Number(ro.range[1]);
        }
      } else if (meta?.key === 'l4proto' && (m.right === 'tcp' || m.right === 'udp') && m.op === '==') {
        x.proto = m.right;
      } else if (
        p &&
        (p.protocol === 'ip' || p.protocol === 'ip6') &&
        p.field === 'daddr' &&
        m.op === '==' &&
        typeof m.right === 'string'
      ) {
        x.daddr = normalizeIp(m.right);
      }
    }
    const d = obj(o.dnat);
    if (d && typeof d.addr === 'string') {
      x.toIp = normalizeIp(d.addr);
      x.toPort = typeof d.port === 'number' ? d.port : null;
    }
    const xt = obj(o.xt);
    if (xt && xt.type === 'target' && xt.name === 'DNAT') x.xtDnat = true;
  }
  return x;
}

export interface NftParseOptions {
  /** "family table" pairs already read through iptables-nft-save: their rules are not repeated here */
  readonly skipTables?: ReadonlySet<string>;
  /** `nft -a list ruleset` text, to decode xtables DNAT targets */
  readonly text?: string;
  /** a port question: only DNAT rules whose destination ports cover one of these (as the iptables views) */
  readonly ports?: ReadonlySet<number> | null;
}

export function parseNftJson(json: string, opts: NftParseOptions = {}): FirewallView {
  const doc = obj(JSON.parse(json));
  const items = Array.isArray(doc?.nftables) ? (doc?.nftables as unknown[]) : [];
  const chains = new Map<string, ChainInfo>();
  const rules: RuleInfo[] = [];
  const tables: string[] = [];
  const raw: NftRaw = { chains: [], rules: [], maps: [] };
  for (const it of items) {
    const o = obj(it);
    if (!o) continue;
    const mp = obj(o.map);
    if (mp) raw.maps.push({ family: String(mp.family), table: String(mp.table), m: mp });
    const t = obj(o.table);
    if (t) tables.push(`${String(t.family)} ${String(t.name)}`);
    const c = obj(o.chain);
    if (c && !tables.includes(`${String(c.family)} ${String(c.table)}`))
      tables.push(`${String(c.family)} ${String(c.table)}`);
    if (c) {
      raw.chains.push({ family: String(c.family), table: String(c.table), name: String(c.name), c });
      const prio =
        typeof c.prio === 'number' ? c.prio : typeof c.prio === 'string' ? (NAMED_PRIO[c.prio] ?? null) : null;
      chains.set(`${String(c.family)} ${String(c.table)} ${String(c.name)}`, {
        family: String(c.family),
        table: String(c.table),
        name: String(c.name),
        hook: typeof c.hook === 'string' ? c.hook : null,
        type: typeof c.type === 'string' ? c.type : null,
        prio,
      });
    }
    const r = obj(o.rule);
    if (r) raw.rules.push({ family: String(r.family), table: String(r.table), chain: String(r.chain), r });
    if (r)
      rules.push({
        family: String(r.family),
        table: String(r.table),
        chain: String(r.chain),
        handle: Number(r.handle),
        expr: Array.isArray(r.expr) ? r.expr : [],
        comment: typeof r.comment === 'string' ? r.comment : null,
      });
  }
  // reachability from nat prerouting/output base chains, with the priority of the entry hook
  const edges = new Map<string, Set<string>>();
  for (const r of rules) {
    for (const e of r.expr) {
      const o = obj(e);
      const target = obj(o?.jump)?.target ?? obj(o?.goto)?.target;
      if (typeof target !== 'string') continue;
      const k = `${r.family} ${r.table} ${r.chain}`;
      if (!edges.has(k)) edges.set(k, new Set());
      edges.get(k)?.add(`${r.family} ${r.table} ${target}`);
    }
  }
  const reachPrio = new Map<string, number | null>();
  for (const [k, c] of chains) {
    if (c.type !== 'nat' || (c.hook !== 'prerouting' && c.hook !== 'output')) continue;
    const stack = [k];
    while (stack.length) {
      const cur = stack.pop() as string;
      if (reachPrio.has(cur)) continue;
      reachPrio.set(cur, c.prio);
      for (const n of edges.get(cur) ?? []) stack.push(n);
    }
  }
  const handles = opts.text ? parseNftTextHandles(opts.text) : null;
  const dnat: DnatRule[] = [];
  const pos = new Map<string, number>();
  for (const r of rules) {
    const ck = `${r.family} ${r.table} ${r.chain}`;
    const i = pos.get(ck) ?? 0;
    pos.set(ck, i + 1);
    if (opts.skipTables?.has(`${r.family} ${r.table}`)) continue;
    if (r.family !== 'ip' && r.family !== 'ip6' && r.family !== 'inet') continue;
    const x = extract(r.expr);
    if (x.dport === null || (!x.toIp && !x.xtDnat)) continue;
    if (opts.ports && !coversAny(x.dport, x.dportEnd ?? x.dport, opts.ports)) continue;
    const textLine = handles?.get(`${r.family} ${r.table} ${r.handle}`) ?? null;
    let toIp = x.toIp;
    let toPort = x.toPort;
    if (!toIp && textLine) {
      const m = /dnat(?: ip6?)? to (\[[^\]]+\]|[\d.]+)(?::(\d+))?/.exec(textLine);
      if (m) {
        toIp = normalizeIp(m[1] ?? '');
        toPort = m[2] ? Number(m[2]) : null;
      }
    }
    if (!toIp) continue; // xtables DNAT whose target we could not decode: not enough to act on
    const reachable = reachPrio.has(ck);
    dnat.push({
      backend: 'nft',
      family: r.family === 'ip6' || toIp.includes(':') ? 'ip6' : 'ip',
      table: r.table,
      chain: r.chain,
      proto: x.proto ?? 'tcp',
      dport: x.dport,
      dportEnd: x.dportEnd ?? x.dport,
      daddr: x.daddr,
      toIp,
      toPort,
      text: textLine ?? renderNftExpr(r.expr),
      spec: null,
      handle: r.handle,
      position: i,
      reachable,
      priority: reachable ? (reachPrio.get(ck) ?? null) : null,
      comment: r.comment,
    });
  }
  const rulesets = nftTables(raw, (f, t) => !opts.skipTables?.has(`${f} ${t}`), handles);
  return {
    backend: 'nft',
    dnat,
    tables,
    incompatible: [],
    hasDockerChain: chains.has('ip nat DOCKER') || tables.includes('ip docker-bridges'),
    warnings: [],
    rulesets,
  };
}

function coversAny(lo: number, hi: number, ports: ReadonlySet<number>): boolean {
  for (const p of ports) if (p >= lo && p <= hi) return true;
  return false;
}

/** xtables DNAT rules (destination not in JSON) outside the skipped tables */
export function countXtDnat(json: string, skipTables?: ReadonlySet<string>): number {
  if (!/"xt":\s*\{[^}]*"name":\s*"DNAT"/.test(json)) return 0;
  const doc = obj(JSON.parse(json));
  let n = 0;
  for (const it of Array.isArray(doc?.nftables) ? (doc?.nftables as unknown[]) : []) {
    const r = obj(obj(it)?.rule);
    if (!r || skipTables?.has(`${String(r.family)} ${String(r.table)}`)) continue;
    if (
      (Array.isArray(r.expr) ? r.expr : []).some((e) => {
        const x = obj(obj(e)?.xt);
        return x?.type === 'target' && x.name === 'DNAT';
      })
    )
      n++;
  }
  return n;
}
