// iptables-save rule argv → NfRule (matches + verdict) for the path model. Hand-written for the
// same reason as iptables-save.ts: no maintained parser of iptables argv exists for JS.
import type { FirewallBackend, NfChain, NfHook, NfMatch, NfRule, NfTable, NfVerdict } from '../../model.js';
import { normalizeIp } from '../../util/ip.js';
import { parseToDestination, tokenize } from './iptables-save.js';

/** The built-in chains' hooks and the priorities iptables registers them at (kernel NF_IP_PRI_*). */
const BUILTIN_HOOK: Record<string, NfHook> = {
  PREROUTING: 'prerouting',
  INPUT: 'input',
  FORWARD: 'forward',
  OUTPUT: 'output',
  POSTROUTING: 'postrouting',
};
const TABLE_PRIO: Record<string, number> = { raw: -300, mangle: -150, nat: -100, filter: 0, security: 50 };
/** the tables the path model walks (mangle and security rarely decide a packet's fate) */
export const WALKED_TABLES = new Set(['raw', 'nat', 'filter']);

const TERMINALS = new Set(['ACCEPT', 'DROP', 'REJECT', 'RETURN']);
/** targets that do not decide the packet's fate here (postrouting NAT, logging, marks, tracing) */
const NO_VERDICT = new Set([
  'LOG',
  'NFLOG',
  'MARK',
  'CONNMARK',
  'CT',
  'NOTRACK',
  'TRACE',
  'MASQUERADE',
  'SNAT',
  'TCPMSS',
  'CHECKSUM',
  'DSCP',
  'TOS',
]);

function ranges(v: string): Array<[number, number]> {
  return v.split(',').map((p) => {
    const [a, b] = p.split(':');
    const lo = a === '' || a === undefined ? 0 : Number(a);
    const hi = b === undefined ? lo : b === '' ? 65535 : Number(b);
    return [lo, hi];
  });
}

function cidr(v: string): string {
  const [ip, len] = v.split('/');
  const n = normalizeIp(ip ?? '') ?? ip ?? v;
  return `${n}/${len ?? (n.includes(':') ? '128' : '32')}`;
}

/** One rule's argv (after `-A CHAIN`). `chains` names the table's user chains (a `-j` to them is a jump). */
export function iptablesRule(
  args: readonly string[],
  chains: ReadonlySet<string>,
  text: string,
  position: number,
): NfRule {
  const matches: NfMatch[] = [];
  let verdict: NfVerdict = { k: 'none' };
  let comment: string | null = null;
  let module = '';
  let proto: string | null = null;
  let neg = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    const v = args[i + 1] ?? '';
    if (a === '!') {
      neg = true;
      continue;
    }
    const take = (): string => {
      i++;
      return v;
    };
    switch (a) {
      case '-s':
      case '--source':
        matches.push({ k: 'saddr', neg, cidrs: [cidr(take())] });
        break;
      case '-d':
      case '--destination':
        matches.push({ k: 'daddr', neg, cidrs: [cidr(take())] });
        break;
      case '-i':
      case '--in-interface':
        matches.push({ k: 'iif', neg, names: [take()] });
        break;
      case '-o':
      case '--out-interface':
        matches.push({ k: 'oif', neg, names: [take()] });
        break;
      case '-p':
      case '--protocol':
        proto = take();
        matches.push({ k: 'proto', neg, protos: [proto] });
        break;
      case '-m':
      case '--match':
        module = take();
        break;
      case '--dport':
      case '--destination-port':
      case '--dports':
      case '--destination-ports':
        matches.push({ k: 'dport', neg, ranges: ranges(take()), proto });
        break;
      case '--sport':
      case '--source-port':
      case '--sports':
      case '--source-ports':
        matches.push({ k: 'sport', neg, ranges: ranges(take()), proto });
        break;
      case '--dst-type':
      case '--src-type':
        matches.push({ k: 'addrtype', dir: a === '--dst-type' ? 'dst' : 'src', neg, types: take().split(',') });
        break;
      case '--ctstate':
      case '--state':
        matches.push({ k: 'ctstate', neg, states: take().split(',') });
        break;
      case '--comment':
        comment = take();
        break;
      case '-j':
      case '--jump':
      case '-g':
      case '--goto': {
        const t = take();
        verdict = target(a === '-g' || a === '--goto', t, args.slice(i + 1), chains);
        i = args.length;
        break;
      }
      default: {
        // an option of a module the model does not evaluate: it may or may not match
        const hasValue = i + 1 < args.length && !(args[i + 1] as string).startsWith('-') && args[i + 1] !== '!';
        const val = hasValue ? take() : '';
        if (module === 'tcp' && a === '--syn') break; // the first packet of a connection is a SYN
        matches.push({
          k: 'unknown',
          text: `${neg ? '! ' : ''}${module ? `-m ${module} ` : ''}${a}${val ? ` ${val}` : ''}`,
        });
      }
    }
    neg = false;
  }
  return { matches, verdict, text, position, handle: null, spec: args, comment };
}

function target(isGoto: boolean, t: string, rest: readonly string[], chains: ReadonlySet<string>): NfVerdict {
  const opt = (flag: string): string | undefined => {
    const i = rest.indexOf(flag);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  if (chains.has(t)) return { k: isGoto ? 'goto' : 'jump', chain: t };
  if (TERMINALS.has(t)) return { k: t.toLowerCase() as 'accept' | 'drop' | 'reject' | 'return' };
  if (t === 'DNAT') {
    const to = opt('--to-destination');
    const d = to ? parseToDestination(to) : null;
    return { k: 'dnat', ip: d?.ip ?? null, port: d?.port ?? null };
  }
  if (t === 'REDIRECT') {
    const p = opt('--to-ports');
    return { k: 'redirect', port: p ? Number(p.split('-')[0]) : null };
  }
  if (NO_VERDICT.has(t)) return { k: 'none' };
  return { k: 'unknown', text: `-j ${t}` };
}

export interface RawTable {
  readonly name: string;
  /** chain → policy ('-' for user chains) in declaration order */
  readonly chains: Map<string, string>;
  /** `args`: the rule's argv after `-A CHAIN`, when the DNAT pass already tokenised it */
  readonly lines: Array<{ chain: string; line: string; args?: string[] }>;
}

/** does a rule's (un-negated) --dport exclude every port asked about? (checked on the text, before tokenising) */
function excludes(line: string, ports: ReadonlySet<number>): boolean {
  const m = /(^|[^!] )--dport (\d+)(?::(\d+))?(\s|$)/.exec(line);
  if (!m) return false;
  const lo = Number(m[2]);
  const hi = m[3] ? Number(m[3]) : lo;
  for (const p of ports) if (p >= lo && p <= hi) return false;
  return true;
}

/**
 * Tables as the path model walks them. With `ports`, rules whose --dport cannot hold are left out of
 * nat first; filter and raw then keep the ports asked plus those the remaining DNATs translate to
 * (a forwarded packet carries the container's port). Chains no base chain reaches are dropped.
 */
export function buildIptablesTables(
  raw: readonly RawTable[],
  backend: FirewallBackend,
  family: 'ip' | 'ip6',
  ports: ReadonlySet<number> | null,
): NfTable[] {
  const ordered = [...raw].sort((a, b) => (a.name === 'nat' ? -1 : b.name === 'nat' ? 1 : 0));
  let keep = ports;
  const out: NfTable[] = [];
  for (const t of ordered) {
    if (!WALKED_TABLES.has(t.name)) continue;
    const userChains = new Set([...t.chains.keys()].filter((c) => !(c in BUILTIN_HOOK)));
    const rules = new Map<string, NfRule[]>();
    const pos = new Map<string, number>();
    for (const { chain, line, args: known } of t.lines) {
      const i = pos.get(chain) ?? 0;
      pos.set(chain, i + 1);
      if (keep && excludes(line, keep)) continue;
      const args = known ?? tokenize(line).slice(2);
      const r = iptablesRule(args, userChains, line, i);
      if (!rules.has(chain)) rules.set(chain, []);
      rules.get(chain)?.push(r);
    }
    const chains: NfChain[] = [];
    const reach = new Set<string>();
    const stack = [...t.chains.keys()].filter((c) => c in BUILTIN_HOOK);
    while (stack.length) {
      const c = stack.pop() as string;
      if (reach.has(c)) continue;
      reach.add(c);
      for (const r of rules.get(c) ?? [])
        if (r.verdict.k === 'jump' || r.verdict.k === 'goto') stack.push(r.verdict.chain);
    }
    for (const [name, policy] of t.chains) {
      if (!reach.has(name)) continue;
      const hook = BUILTIN_HOOK[name] ?? null;
      chains.push({
        name,
        hook,
        type: hook ? (t.name === 'nat' ? 'nat' : 'filter') : null,
        priority: hook ? natPriority(t.name, hook) : null,
        policy: policy === 'ACCEPT' ? 'accept' : policy === 'DROP' ? 'drop' : null,
        rules: rules.get(name) ?? [],
      });
    }
    out.push({ backend, family, name: t.name, chains, portScoped: keep !== null });
    if (t.name === 'nat' && ports) {
      const more = new Set(ports);
      for (const c of chains)
        for (const r of c.rules)
          if ((r.verdict.k === 'dnat' || r.verdict.k === 'redirect') && r.verdict.port !== null)
            more.add(r.verdict.port);
      keep = more;
    }
  }
  return out;
}

function natPriority(table: string, hook: NfHook): number {
  if (table === 'nat') return hook === 'postrouting' || hook === 'input' ? 100 : -100;
  return TABLE_PRIO[table] ?? 0;
}
