// iptables-save / ip6tables-save text → DNAT rules as data. Hand-written: the format is a
// line-oriented dump of argv; no maintained JS parser exists for it.
import type { DnatRule, FirewallBackend, FirewallView, Proto } from '../../model.js';
import { normalizeIp } from '../../util/ip.js';
import { buildIptablesTables, type RawTable } from './iptables-rules.js';

/** Split an iptables-save rule line into argv, honouring double quotes (used by --comment). */
export function tokenize(line: string): string[] {
  // most lines have no quote: slices of the line, not strings grown a character at a time (a busy
  // host's 8,000 rules otherwise spend most of their parse in the garbage collector)
  if (!line.includes('"')) return splitBlanks(line);
  const out: string[] = [];
  let cur = '';
  let inQ = false;
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (inQ) {
      if (c === '\\' && i + 1 < line.length) {
        cur += line[++i];
        continue;
      }
      if (c === '"') {
        inQ = false;
        continue;
      }
      cur += c;
    } else if (c === '"') {
      inQ = true;
      has = true;
    } else if (c === ' ' || c === '\t') {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}

/** what the loop above gives for a line without quotes: the runs of characters between blanks */
function splitBlanks(line: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= line.length; i++) {
    const blank = i === line.length || line[i] === ' ' || line[i] === '\t';
    if (blank) {
      if (start >= 0) out.push(line.slice(start, i));
      start = -1;
    } else if (start < 0) start = i;
  }
  return out;
}

interface ParsedRule {
  chain: string;
  args: string[];
  line: string;
  jump: string | null;
}

/** does a rule line's --dport (or range) touch one of the ports? (checked before tokenising) */
function touches(line: string, ports: ReadonlySet<number>): boolean {
  const m = /--dport (\d+)(?::(\d+))?/.exec(line);
  if (!m) return false;
  const lo = Number(m[1]);
  const hi = m[2] ? Number(m[2]) : lo;
  if (hi - lo < 64) {
    for (let p = lo; p <= hi; p++) if (ports.has(p)) return true;
    return false;
  }
  for (const p of ports) if (p >= lo && p <= hi) return true;
  return false;
}

const isPort = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 65535;

/** Parse `--to-destination 172.17.0.2:80`, `[fd00::2]:80`, `10.0.0.1`, `1.2.3.4:80-81`. */
export function parseToDestination(v: string): { ip: string; port: number | null } | null {
  let ipPart = v;
  let portPart: string | null = null;
  const br = /^\[([^\]]+)\](?::(\d+)(?:-\d+)?)?$/.exec(v);
  if (br) {
    ipPart = br[1] ?? '';
    portPart = br[2] ?? null;
  } else if ((v.match(/:/g) ?? []).length === 1) {
    const [a, b] = v.split(':') as [string, string];
    ipPart = a;
    portPart = b.split('-')[0] ?? null;
  }
  const ip = normalizeIp(ipPart.split('-')[0] ?? '');
  if (!ip) return null;
  const port = portPart ? Number(portPart) : null;
  // "1.2.3.4:xyz" or :99999 is no port iptables would print: not a rule this model can read
  if (port !== null && !isPort(port)) return null;
  return { ip, port };
}

type Place = Pick<DnatRule, 'backend' | 'family' | 'table' | 'position' | 'reachable' | 'priority'>;

/**
 * The rule as one object literal, where it sits included: `{ ...d, backend, … }` built in optimised
 * code gives every clone a map (hidden class) of its own, ~600 bytes per rule on a busy host's 8,000.
 */
function dnatFromArgs(r: ParsedRule, at: Place): DnatRule | null {
  const a = r.args;
  const val = (flag: string): string | undefined => {
    const i = a.indexOf(flag);
    return i >= 0 ? a[i + 1] : undefined;
  };
  if (val('-j') !== 'DNAT') return null;
  const to = val('--to-destination');
  if (!to) return null;
  const dest = parseToDestination(to);
  if (!dest) return null;
  const p = val('-p');
  if (p !== 'tcp' && p !== 'udp') return null;
  const dp = val('--dport') ?? val('--destination-port');
  if (!dp) return null;
  const [lo, hi] = dp.split(':');
  const dport = Number(lo);
  const dportEnd = hi ? Number(hi) : dport;
  // --dport abc would be NaN, and NaN matches no port: the rule would vanish from every check unseen
  if (!isPort(dport) || !isPort(dportEnd) || dport > dportEnd) return null;
  const dIdx = a.indexOf('-d');
  const negD = dIdx > 0 && a[dIdx - 1] === '!';
  const daddr = dIdx >= 0 && !negD ? normalizeIp(a[dIdx + 1] ?? '') : null;
  return {
    chain: r.chain,
    proto: p as Proto,
    dport,
    dportEnd,
    daddr,
    toIp: dest.ip,
    toPort: dest.port,
    text: r.line,
    spec: a,
    handle: null,
    comment: val('--comment') ?? null,
    backend: at.backend,
    family: at.family,
    table: at.table,
    position: at.position,
    reachable: at.reachable,
    priority: at.priority,
  };
}

const ENTRY_CHAINS = ['PREROUTING', 'OUTPUT'];

/**
 * Parse a whole iptables-save dump. Survives what the lab saw: the legacy-tables warning, and
 * ``# Table `nat' is incompatible, use 'nft' tool.`` (the table is then listed as incompatible,
 * so the caller knows this view is blind for it and must look at `nft -j`).
 */
export function parseIptablesSave(
  text: string,
  backend: FirewallBackend,
  family: 'ip' | 'ip6',
  ports?: ReadonlySet<number> | null,
  /** false: no rule sets for the path model (the port map needs only the DNAT rules) */
  withRulesets = true,
): FirewallView {
  const tables: string[] = [];
  const incompatible: string[] = [];
  const warnings: string[] = [];
  const dnat: DnatRule[] = [];
  let hasDockerChain = false;
  let table = '';
  let rules: ParsedRule[] = [];
  const raws: RawTable[] = [];
  let rawT: RawTable | null = null;
  const flush = (): void => {
    if (!table) return;
    // reachability from the nat hooks, following -j/-g jumps
    const edges = new Map<string, Set<string>>();
    // comments on the jumps into a chain: CNI and netavark name the container there
    const jumpComments = new Map<string, string[]>();
    for (const r of rules) {
      const j = r.jump;
      if (!j) continue;
      if (!edges.has(r.chain)) edges.set(r.chain, new Set());
      edges.get(r.chain)?.add(j);
      const cm = /--comment ("(?:[^"\\]|\\.)*"|\S+)/.exec(r.line)?.[1];
      if (cm && j !== 'DNAT') {
        const text = cm.startsWith('"') ? (tokenize(cm)[0] ?? '') : cm;
        jumpComments.set(j, [...(jumpComments.get(j) ?? []), text]);
      }
    }
    const reach = new Set<string>();
    const stack = [...ENTRY_CHAINS];
    while (stack.length) {
      const c = stack.pop() as string;
      if (reach.has(c)) continue;
      reach.add(c);
      for (const n of edges.get(c) ?? []) stack.push(n);
    }
    const pos = new Map<string, number>();
    for (const r of rules) {
      const i = pos.get(r.chain) ?? 0;
      pos.set(r.chain, i + 1);
      if (table !== 'nat' || !r.args.length) continue;
      const d = dnatFromArgs(r, { backend, family, table, position: i, reachable: reach.has(r.chain), priority: -100 });
      if (!d) continue;
      const jc = jumpComments.get(r.chain);
      dnat.push(jc ? { ...d, jumpComments: jc } : d);
    }
  };
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.startsWith('# Warning')) {
      warnings.push(line.slice(2));
      continue;
    }
    const inc = /^# Table `(\w+)' is incompatible/.exec(line);
    if (inc && inc[1]) {
      incompatible.push(`${family} ${inc[1]}`);
      continue;
    }
    if (line.startsWith('#') || line === '') continue;
    if (line.startsWith('*')) {
      flush();
      table = line.slice(1);
      rules = [];
      tables.push(`${family} ${table}`);
      rawT = { name: table, chains: new Map(), lines: [] };
      raws.push(rawT);
      continue;
    }
    if (line === 'COMMIT') {
      flush();
      table = '';
      rules = [];
      continue;
    }
    if (line.startsWith(':')) {
      if (line.startsWith(':DOCKER ') && table === 'nat') hasDockerChain = true;
      const [name, policy] = line.slice(1).split(' ');
      if (name) rawT?.chains.set(name, policy ?? '-');
      continue;
    }
    if (line.startsWith('-A ')) {
      const sp = line.indexOf(' ', 3);
      const chain = line.slice(3, sp < 0 ? line.length : sp);
      const jm = /\s-[jg] (\S+)/.exec(line);
      // only DNAT rules are tokenised (and, for a port question, only those for its ports)
      const wanted = table === 'nat' && line.includes('DNAT') && (!ports || touches(line, ports));
      const args = wanted ? tokenize(line).slice(2) : [];
      rules.push({ chain, args, line, jump: jm ? (jm[1] as string) : null });
      // tokenised once: the path model's rule reuses these tokens
      if (withRulesets) rawT?.lines.push(wanted ? { chain, line, args } : { chain, line });
    }
  }
  flush();
  if (!withRulesets) return { backend, dnat, tables, incompatible, hasDockerChain, warnings };
  const rulesets = buildIptablesTables(
    raws.filter((t) => !incompatible.includes(`${family} ${t.name}`)),
    backend,
    family,
    ports ?? null,
  );
  return { backend, dnat, tables, incompatible, hasDockerChain, warnings, rulesets };
}

export function mergeViews(backend: FirewallBackend, views: readonly FirewallView[]): FirewallView {
  return {
    backend,
    dnat: views.flatMap((v) => v.dnat),
    tables: views.flatMap((v) => v.tables),
    incompatible: views.flatMap((v) => v.incompatible),
    hasDockerChain: views.some((v) => v.hasDockerChain),
    warnings: [...new Set(views.flatMap((v) => v.warnings))],
    ...(views.some((v) => v.rulesets) ? { rulesets: views.flatMap((v) => v.rulesets ?? []) } : {}),
  };
}
