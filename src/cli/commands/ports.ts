import { collectSnapshot } from '../../collect/index.js';
import { nodeHostIO, type HostIO } from '../../collect/host-io.js';
import { portMap, type PortEntry, type PortMap, type PortOwner } from '../../portmap.js';
import { loadSnapshot } from '../../snapshot/io.js';
import { displayAddr } from '../../util/ip.js';
import { EXIT } from '../exit.js';
import { outputWidth } from '../output.js';
import { parseTarget } from '../target.js';
import { dim, green, red, safe, yellow } from '../render/text.js';
import type { PortsJson } from '../json-types.js';
import { trace } from '../../util/trace.js';
import { writeJsonArrayDoc } from '../json-out.js';
import { keepYoungGenerationSmall } from '../small-heap.js';

export interface PortsOpts {
  json?: boolean;
  port?: string[];
  conflicts?: boolean;
  from?: string;
  /** commander's --no-trunc: false when given */
  trunc?: boolean;
}

export function ownerText(o: PortOwner): string {
  switch (o.kind) {
    case 'process':
      return `${o.comm}[${o.pid}]${o.unit ? ` ${o.unit}` : ''}`;
    case 'docker-proxy':
      return `docker-proxy[${o.pid}]→${o.containerIp ?? '?'}${o.stale ? ' (stale)' : ''}`;
    case 'dockerd':
      return `dockerd[${o.pid}]`;
    case 'container':
      return `${o.via === 'host-network' ? 'host-net ' : ''}container ${o.name}${o.state !== 'running' ? ` (${o.state})` : ''}`;
    case 'rule':
      return `${o.backend} ${o.table}/${o.chain} DNAT→${o.toIp}${o.toPort ? `:${o.toPort}` : ''}${o.orphan ? ' (orphan)' : ''}`;
    case 'unseen':
      return `uid ${o.uid} (owner not visible)`;
  }
}

/**
 * The port map alone: the snapshot it was made from is unreachable once this returns, so the
 * collector's data (every socket, every DNAT rule) is not held while the answer is written.
 */
async function mapOf(o: PortsOpts, filterPorts: readonly number[], io: () => HostIO): Promise<PortMap> {
  return portMap(
    o.from
      ? loadSnapshot(o.from)
      : // the port map reads DNAT rules, not the path model's rule sets
        await collectSnapshot(io(), { ports: filterPorts.length ? filterPorts : undefined, rulesets: false }),
  );
}

/** `io`: the host (a fake one in tests) */
export async function runPorts(o: PortsOpts, io: () => HostIO = () => nodeHostIO()): Promise<number> {
  const filterPorts = (o.port ?? []).map((p) => parseTarget(p).port);
  if (!filterPorts.length) keepYoungGenerationSmall(); // the whole host
  const map = await mapOf(o, filterPorts, io);
  trace('port map made');
  let rows: PortEntry[] = map.ports;
  if (filterPorts.length) rows = rows.filter((r) => filterPorts.includes(r.port));
  if (o.conflicts) rows = rows.filter((r) => r.status !== 'ok');
  if (o.json) {
    const doc: PortsJson = { ports: rows, complete: map.complete, missing: map.missing };
    writeJsonArrayDoc(doc, 'ports');
    trace('written');
  } else {
    // shortened only on a terminal: piped into grep, a cut-off owner could hide the very rule searched for
    const width = o.trunc === false ? Infinity : outputWidth();
    const head = ['PROTO', 'ADDRESS', 'STATUS', 'OWNERS'];
    const body = rows.map((r) => [
      r.proto,
      displayAddr(r.ip, r.port),
      r.status,
      safe(r.owners.map(ownerText).join(', ')),
    ]);
    const w = [
      5,
      // a reduce, not Math.max(...spread): a host with 100,000s of sockets would overflow the call stack
      body.reduce((m, b) => Math.max(m, (b[1] ?? '').length), 7),
      body.reduce((m, b) => Math.max(m, (b[2] ?? '').length), 6),
    ];
    const line = (c: string[], color = (s: string) => s): string => {
      const fixed = `${(c[0] ?? '').padEnd(w[0]!)}  ${(c[1] ?? '').padEnd(w[1]!)}  ${color((c[2] ?? '').padEnd(w[2]!))}  `;
      const room = Math.max(20, width - (w[0]! + w[1]! + w[2]! + 6));
      const own = c[3] ?? '';
      return fixed + (own.length > room ? `${own.slice(0, room - 1)}…` : own);
    };
    process.stdout.write(`${dim(line(head))}\n`);
    for (const b of body)
      process.stdout.write(`${line(b, b[2] === 'ok' ? green : b[2] === 'stopped-container' ? yellow : red)}\n`);
    if (!map.complete) process.stdout.write(`${yellow(`incomplete: could not read ${map.missing.join(', ')}`)}\n`);
  }
  if (rows.some((r) => r.status !== 'ok' && r.status !== 'stopped-container')) return EXIT.found;
  return map.complete ? EXIT.ok : EXIT.undecided;
}
