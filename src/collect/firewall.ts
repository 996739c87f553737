// The three views of the kernel's NAT rules: iptables-nft (what Docker <= 28 writes on Debian),
// iptables-legacy (the other half of the WSL2/legacy split brain) and native nft (Docker 29's
// nftables backend, and anything added with `nft` that makes iptables-save go blind).
import type { Fact, FirewallView } from '../model.js';
import { fail, ok } from './fact.js';
import type { ExecResult, HostIO } from './host-io.js';
import { type CapName, privilegeHint } from './privilege.js';
import { mergeViews, parseIptablesSave } from './parse/iptables-save.js';
import { countXtDnat, parseNftJson } from './parse/nft.js';
import { isNftFamily, isNftName } from '../util/nft-name.js';

const EMPTY = (backend: FirewallView['backend']): FirewallView => ({
  backend,
  dnat: [],
  tables: [],
  incompatible: [],
  hasDockerChain: false,
  warnings: [],
  rulesets: [],
});

/** iptables-legacy reads its tables through a raw socket (CAP_NET_RAW); nft and iptables-nft through netlink. */
const capsFor = (what: string): CapName[] =>
  /legacy/.test(what) ? ['CAP_NET_ADMIN', 'CAP_NET_RAW'] : ['CAP_NET_ADMIN'];

function execFailure(
  io: HostIO,
  what: string,
  r: ExecResult,
): { code: 'absent' | 'timeout' | 'denied' | 'failed'; message: string } {
  if (r.error === 'absent') return { code: 'absent', message: `${what} is not installed` };
  if (r.error === 'timeout') return { code: 'timeout', message: `${what} did not finish in time` };
  if (r.error === 'denied') return { code: 'denied', message: `${what}: permission denied (cannot execute it)` };
  if (/permission denied|operation not permitted|must be root/i.test(r.stderr))
    return { code: 'denied', message: `${what}: permission denied (${privilegeHint(io, capsFor(what))})` };
  return { code: 'failed', message: `${what} exited ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}` };
}

/** iptables-save output: empty (no tables), or `*table` blocks; anything else is not its output. */
function notSaveOutput(cmd: string, stdout: string): Fact<FirewallView> | null {
  if (stdout.trim() === '' || /^\*\w+\s*$/m.test(stdout)) return null;
  return fail('unparsable', `${cmd} printed something that is not iptables-save output`, cmd);
}

async function saveFirst(
  io: HostIO,
  cmds: readonly string[],
  timeoutMs: number,
): Promise<{ cmd: string; r: ExecResult } | null> {
  for (const cmd of cmds) {
    const r = await io.exec([cmd], { timeoutMs });
    if (r.error !== 'absent') return { cmd, r };
  }
  return null;
}

/**
 * `ip6Nat` says whether an ip6 nat table exists at all (from `nft list chains`); when it surely does
 * not (Docker <= 26 without ip6tables), ip6tables-nft-save is not started: one process less.
 */
export async function collectIptablesNft(
  io: HostIO,
  timeoutMs = 3000,
  ports: ReadonlySet<number> | null = null,
  ip6Nat: Promise<boolean> = Promise.resolve(true),
  withRulesets = true,
): Promise<Fact<FirewallView>> {
  const [v4, v6] = await Promise.all([
    saveFirst(io, ['iptables-nft-save', 'iptables-save'], timeoutMs),
    ip6Nat.then((need): Promise<Awaited<ReturnType<typeof saveFirst>> | 'none'> =>
      need ? saveFirst(io, ['ip6tables-nft-save', 'ip6tables-save'], timeoutMs) : Promise.resolve('none'),
    ),
  ]);
  if (!v4) return fail('absent', 'iptables-nft-save is not installed (apt-get install iptables)', 'iptables-nft-save');
  if (v4.r.code !== 0) {
    const f = execFailure(io, v4.cmd, v4.r);
    return fail(f.code, f.message, v4.cmd);
  }
  // plain iptables-save may be the legacy variant (update-alternatives); then this view is not nft
  if (
    v4.cmd === 'iptables-save' &&
    !/nf_tables/.test(v4.r.stdout + v4.r.stderr) &&
    /legacy|v1\.[0-8]\.\d+ on/.test(v4.r.stdout)
  ) {
    return fail('unsupported', 'iptables-save is the legacy variant and no iptables-nft-save exists', 'iptables-save');
  }
  const garbled = notSaveOutput(v4.cmd, v4.r.stdout);
  if (garbled) return garbled;
  const views = [parseIptablesSave(v4.r.stderr + v4.r.stdout, 'iptables-nft', 'ip', ports, withRulesets)];
  const notes: string[] = [];
  if (v6 === 'none') notes.push('no ip6 nat table in nf_tables: no IPv6 NAT rules to read');
  else if (v6 && v6.r.code === 0 && !notSaveOutput(v6.cmd, v6.r.stdout))
    views.push(parseIptablesSave(v6.r.stderr + v6.r.stdout, 'iptables-nft', 'ip6', ports, withRulesets));
  else notes.push('ip6tables-nft-save unavailable: IPv6 NAT rules not read');
  return ok(
    mergeViews('iptables-nft', views),
    `${v4.cmd} + ${v6 === 'none' ? 'no ip6 nat table' : (v6?.cmd ?? 'no ip6tables')}`,
    notes,
  );
}

/** Only dumps tables that exist: never `iptables-legacy-save -t nat`, which would create the table. */
export async function collectIptablesLegacy(
  io: HostIO,
  legacyTables: { ip: readonly string[]; ip6: readonly string[] } | null,
  timeoutMs = 3000,
  ports: ReadonlySet<number> | null = null,
  withRulesets = true,
): Promise<Fact<FirewallView>> {
  if (legacyTables && legacyTables.ip.length === 0 && legacyTables.ip6.length === 0) {
    return ok(EMPTY('iptables-legacy'), '/proc/net/ip_tables_names', [
      'no legacy x_tables are registered in the kernel',
    ]);
  }
  const runs: Promise<ExecResult | null>[] = [
    !legacyTables || legacyTables.ip.length ? io.exec(['iptables-legacy-save'], { timeoutMs }) : Promise.resolve(null),
    !legacyTables || legacyTables.ip6.length
      ? io.exec(['ip6tables-legacy-save'], { timeoutMs })
      : Promise.resolve(null),
  ];
  const [r4, r6] = await Promise.all(runs);
  const views: FirewallView[] = [];
  for (const [r, fam, cmd] of [
    [r4, 'ip', 'iptables-legacy-save'],
    [r6, 'ip6', 'ip6tables-legacy-save'],
  ] as const) {
    if (!r) continue;
    if (r.code !== 0) {
      const f = execFailure(io, cmd, r);
      return fail(f.code, f.message, cmd);
    }
    const garbled = notSaveOutput(cmd, r.stdout);
    if (garbled) return garbled;
    views.push(parseIptablesSave(r.stdout, 'iptables-legacy', fam, ports, withRulesets));
  }
  return ok(mergeViews('iptables-legacy', views), 'iptables-legacy-save (no -t)');
}

/**
 * Native nft rules, read table by table. `nft list ruleset` (and even `list tables`) makes nft dump
 * every rule of every table (~150 ms for 2,000 rules); `nft list chains` does not, so it names the
 * tables cheaply, and only the tables iptables-nft-save could not show are then listed. On a plain
 * Docker 20.10-28 host that is none. `skipTables` may still be on its way (it comes from
 * iptables-nft-save): the chain listing runs meanwhile.
 */
export function listChains(io: HostIO, timeoutMs = 3000): Promise<ExecResult> {
  return io.exec(['nft', '-j', 'list', 'chains'], { timeoutMs });
}

/** from `nft -j list chains`: is there an ip6 nat table? (unknown → true, so nothing is skipped) */
export async function hasIp6Nat(chains: Promise<ExecResult>): Promise<boolean> {
  const r = await chains;
  if (r.code !== 0 || r.error) return true;
  return /"family":\s*"ip6",\s*"table":\s*"nat"/.test(r.stdout);
}

export async function collectNft(
  io: HostIO,
  skipTables: ReadonlySet<string> | Promise<ReadonlySet<string>>,
  timeoutMs = 3000,
  chains: Promise<ExecResult> = listChains(io, timeoutMs),
  ports: ReadonlySet<number> | null = null,
): Promise<Fact<FirewallView>> {
  const r = await chains;
  if (r.code !== 0 || r.error) {
    const f = execFailure(io, 'nft', r);
    return fail(f.code, f.message, 'nft -j list chains');
  }
  try {
    const chains = parseNftJson(r.stdout);
    const tables = [...new Set(chains.tables.length ? chains.tables : listTablesOfChains(r.stdout))];
    const candidates = tables.filter((t) => /^(ip|ip6|inet) /.test(t));
    // every name goes into nft's argv below: one nft would misread is never passed (see util/nft-name.ts)
    const bad = candidates.find((t) => !nftTableArgs(t));
    if (bad !== undefined)
      return fail(
        'unparsable',
        `nft table ${JSON.stringify(bad)} has a name nft would read as more than one word (nft joins its arguments and parses them again; \`;\` starts a new command), so it was not read and the nft rules are unknown; look at it with \`nft list tables\` by hand`,
        'nft -j list chains',
      );
    const listOne = async (t: string): Promise<FirewallView> => {
      const [fam, name] = nftTableArgs(t) as [string, string];
      const j = await io.exec(['nft', '-j', 'list', 'table', fam, name], { timeoutMs });
      if (j.code !== 0)
        throw Object.assign(new Error(`nft list table ${t}: ${j.stderr.trim()}`), {
          fact: execFailure(io, 'nft', j),
        });
      // xtables targets carry no destination in JSON; the text listing of that table decodes them
      let text: string | undefined;
      if (countXtDnat(j.stdout) > 0) {
        const tx = await io.exec(['nft', '-a', 'list', 'table', fam, name], { timeoutMs });
        if (tx.code === 0) text = tx.stdout;
      }
      return parseNftJson(j.stdout, { text, ports });
    };
    // a table iptables-nft cannot have made (not one of the xtables names) is listed at once; the
    // others only once iptables-nft-save has said which of them it could not print (incompatible)
    const early = candidates.filter((t) => !XTABLES_NAMED.test(t));
    const earlyViews = Promise.all(early.map(listOne));
    earlyViews.catch(() => undefined); // awaited below
    const skip = await skipTables;
    const late = candidates.filter((t) => XTABLES_NAMED.test(t) && !skip.has(t));
    const lateViews = await Promise.all(late.map(listOne));
    const byTable = new Map<string, FirewallView>();
    (await earlyViews).forEach((v, i) => byTable.set(early[i] as string, v));
    lateViews.forEach((v, i) => byTable.set(late[i] as string, v));
    // in the order nft lists the tables, however they were read
    const want = candidates.filter((t) => byTable.has(t));
    const views = want.map((t) => byTable.get(t) as FirewallView);
    const dnat = views.flatMap((v) => v.dnat);
    return ok(
      {
        backend: 'nft',
        dnat,
        rulesets: views.flatMap((v) => v.rulesets ?? []),
        tables,
        incompatible: [],
        hasDockerChain: chains.hasDockerChain || views.some((v) => v.hasDockerChain),
        warnings: [],
      },
      `nft -j list chains + list table (${want.join(', ') || 'no table beyond iptables-nft'})`,
    );
  } catch (e) {
    const f = (e as { fact?: { code: 'absent' | 'timeout' | 'denied' | 'failed'; message: string } }).fact;
    if (f) return fail(f.code, f.message, 'nft -j list table');
    return fail('unparsable', `nft -j output could not be parsed: ${(e as Error).message}`, 'nft -j list chains');
  }
}

/** "family name" → [family, name] when both are what nft reads as one plain word each; else null */
export function nftTableArgs(t: string): [string, string] | null {
  const i = t.indexOf(' ');
  if (i < 0) return null;
  const fam = t.slice(0, i);
  const name = t.slice(i + 1);
  return isNftFamily(fam) && isNftName(name) ? [fam, name] : null;
}

/** the tables iptables-nft (and ip6tables-nft) make: only these can be in iptables-nft-save's output */
const XTABLES_NAMED = /^(ip|ip6) (filter|nat|mangle|raw|security)$/;

function listTablesOfChains(json: string): string[] {
  const out: string[] = [];
  for (const m of json.matchAll(/"chain":\s*\{"family":\s*"(\w+)",\s*"table":\s*"([^"]+)"/g))
    out.push(`${m[1]} ${m[2]}`);
  return out;
}
