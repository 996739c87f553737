// `portdoctor trace PORT[/PROTO] [--from outside|host|container:NAME] [--json]`: the path of a new
// connection to the port, hop by hop (table, chain, rule, verdict), from the rule sets alone.
import { collectSnapshot } from '../../collect/index.js';
import { nodeHostIO } from '../../collect/host-io.js';
import type { Snapshot } from '../../model.js';
import { describeOutcome, walkPath, type Origin, type Walk } from '../../path/index.js';
import { loadSnapshot } from '../../snapshot/io.js';
import { displayAddr } from '../../util/ip.js';
import { EXIT, type ExitCode } from '../exit.js';
import { parseTarget, UsageError } from '../target.js';
import type { TraceJson } from '../json-types.js';

export interface TraceOpts {
  from?: string;
  json?: boolean;
  snapshot?: string;
  timeout?: string;
}

/** `outside`, `host` (loopback and the host's own address), `host:loopback`, `host:address`, `container:NAME[@NETWORK]` */
export function parseOrigins(raw: string | undefined): Origin[] {
  if (raw === undefined)
    return [{ kind: 'outside' }, { kind: 'host', loopback: true }, { kind: 'host', loopback: false }];
  if (raw === 'outside') return [{ kind: 'outside' }];
  if (raw === 'host')
    return [
      { kind: 'host', loopback: true },
      { kind: 'host', loopback: false },
    ];
  if (raw === 'host:loopback') return [{ kind: 'host', loopback: true }];
  if (raw === 'host:address') return [{ kind: 'host', loopback: false }];
  const m = /^container:([\w][\w.-]*)(?:@([\w][\w.-]*))?$/.exec(raw);
  if (m) return [{ kind: 'container', name: m[1] as string, ...(m[2] ? { network: m[2] } : {}) }];
  throw new UsageError(
    `--from "${raw}" is not outside, host, host:loopback, host:address or container:NAME[@NETWORK] (e.g. --from container:web)`,
  );
}

function originText(w: Walk): string {
  const f = w.spec.from;
  const to = w.packet.daddr ? displayAddr(w.packet.daddr, w.spec.port) : `the host's address, port ${w.spec.port}`;
  if (f.kind === 'outside') return `from outside${w.packet.iif ? ` (arriving on ${w.packet.iif})` : ''} to ${to}`;
  if (f.kind === 'host') return `from this host to ${to}`;
  return `from container ${f.name}${w.packet.saddr ? ` (${w.packet.saddr})` : ''} to ${to}`;
}

export function renderWalk(w: Walk): string {
  const lines = [`${w.spec.port}/${w.spec.proto} ${originText(w)}`];
  w.paths.forEach((p, i) => {
    if (w.paths.length > 1) lines.push(`  path ${i + 1} of ${w.paths.length}, if ${p.assumptions.join(' and ')}:`);
    p.hops.forEach((h, n) => {
      const where = `${h.backend ?? ''} ${h.family ?? ''} ${h.table ?? ''} ${h.chain ?? ''}`
        .replace(/\s+/g, ' ')
        .trim();
      lines.push(`  ${String(n + 1).padStart(2)}. ${where}: ${h.rule ?? '(end of chain)'}  → ${h.verdict}`);
    });
    lines.push(`  ⇒ ${describeOutcome(p.outcome)}`);
  });
  if (w.paths.length === 0) lines.push(`  ⇒ ${describeOutcome(w.outcome)}`);
  if (w.outcome.kind === 'own-loopback') lines.push(`  use instead: ${w.outcome.instead.join(', or ')}`);
  for (const n of w.notes) lines.push(`  note: ${n}`);
  return lines.join('\n');
}

/** 0 every path answers, 1 some path is dropped or answered by nobody, 3 undecided */
export function traceExit(walks: readonly Walk[]): ExitCode {
  if (walks.some((w) => w.outcome.kind === 'unknown')) return EXIT.undecided;
  const bad = new Set(['dropped', 'no-listener', 'blackhole', 'own-loopback']);
  return walks.some((w) => bad.has(w.outcome.kind)) ? EXIT.found : EXIT.ok;
}

export async function runTrace(target: string | undefined, o: TraceOpts): Promise<number> {
  if (!target) throw new UsageError('which port? give PORT[/PROTO] or IP:PORT[/PROTO], e.g. portdoctor trace 8080');
  const t = parseTarget(target);
  const origins = parseOrigins(o.from);
  const timeoutMs = o.timeout ? Number(o.timeout) : undefined;
  if (timeoutMs !== undefined && !(timeoutMs > 0))
    throw new UsageError(`--timeout "${o.timeout}" is not a positive number of milliseconds`);
  const snap: Snapshot = o.snapshot
    ? loadSnapshot(o.snapshot)
    : await collectSnapshot(nodeHostIO(), { ports: [t.port], timeoutMs });
  const proto = t.proto ?? 'tcp';
  const walks = origins.map((from) =>
    walkPath(snap, {
      proto,
      port: t.port,
      from,
      ...(t.ip ? { daddr: t.ip, family: t.ip.includes(':') ? (6 as const) : (4 as const) } : {}),
    }),
  );
  if (o.json)
    process.stdout.write(`${JSON.stringify({ schema: 'portdoctor.trace/1', walks } satisfies TraceJson, null, 2)}\n`);
  else process.stdout.write(`${walks.map(renderWalk).join('\n\n')}\n`);
  return traceExit(walks);
}
