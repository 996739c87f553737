// One owner model for diagnose, the port map and the exporter: on every lab capture (and every
// recorded bind-probe host), with every fact present and with each one knocked out in turn, what
// diagnose says of an entry's IP:PORT/PROTO is a cause its port map status allows (STATUS_CAUSES),
// and the exporter counts as orphans exactly the rules diagnose calls orphaned.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose.js';
import { createMetrics, observeSnapshot } from '../../src/exporter/metrics.js';
import { FACT_KEYS, type Cause, type FactKey, type Snapshot } from '../../src/model.js';
import { portMap, STATUS_CAUSES, type PortStatus } from '../../src/portmap.js';
import { LAB, snapshotFromCapture } from '../helpers/lab-capture.js';
import { probeCases } from '../helpers/probe-cases.js';

const captures = readdirSync(LAB)
  .filter((d) => d !== '_env')
  .flatMap((d) => [
    ...(existsSync(join(LAB, d, 'ss-tulpn.txt')) ? [d] : []),
    ...readdirSync(join(LAB, d))
      .filter((s) => existsSync(join(LAB, d, s, 'ss-tulpn.txt')))
      .map((s) => `${d}/${s}`),
  ]);

const hosts: Array<[string, Snapshot]> = [
  ...captures.map((c): [string, Snapshot] => [c, snapshotFromCapture(c)]),
  ...probeCases().map((c): [string, Snapshot] => [`probe ${c.engine}/${c.name}`, c.snap]),
];

const knockOut = (s: Snapshot, k: FactKey): Snapshot => ({
  ...s,
  [k]: { ok: false, error: { code: 'denied', message: `${k} knocked out by the test` }, source: 'test' },
});

/** every (status, cause) pair seen on a host, with the entries that disagree */
function agreement(snap: Snapshot): { pairs: Array<[PortStatus, Cause]>; wrong: string[] } {
  const pairs: Array<[PortStatus, Cause]> = [];
  const wrong: string[] = [];
  for (const e of portMap(snap).ports) {
    const cause = diagnose(snap, { proto: e.proto, ip: e.ip, port: e.port }).verdict.cause;
    pairs.push([e.status, cause]);
    if (!(STATUS_CAUSES[e.status] as readonly Cause[]).includes(cause))
      wrong.push(`${e.proto}/${e.ip}:${e.port} is ${e.status} but diagnose says ${cause}`);
  }
  return { pairs, wrong };
}

describe('the port map and diagnose judge owners alike', () => {
  it('finds the lab captures and the recorded probe hosts', () => {
    expect(captures.length).toBeGreaterThanOrEqual(30);
    expect(hosts.length).toBeGreaterThan(captures.length);
  });

  it('each hazard cause belongs to exactly one status', () => {
    const owners = new Map<Cause, PortStatus[]>();
    for (const [status, causes] of Object.entries(STATUS_CAUSES) as Array<[PortStatus, readonly Cause[]]>)
      for (const c of causes) owners.set(c, [...(owners.get(c) ?? []), status]);
    for (const c of ['orphan-dnat', 'firewall-split-brain', 'foreign-dnat', 'stale-docker-proxy', 'stale-allocation'])
      expect(owners.get(c as Cause), c).toHaveLength(1);
  });

  it.each(hosts)('%s: every entry status allows the verdict on its bind', (_name, snap) => {
    expect(agreement(snap).wrong).toEqual([]);
  });

  it.each(hosts)('%s: still so with each fact knocked out', (_name, snap) => {
    const wrong = FACT_KEYS.flatMap((k) => agreement(knockOut(snap, k)).wrong.map((w) => `without ${k}: ${w}`));
    expect(wrong).toEqual([]);
  });

  it('every hazard status is met on some capture, with its cause', () => {
    const seen = new Set(hosts.flatMap(([, s]) => agreement(s).pairs.map(([st, c]) => `${st} ${c}`)));
    for (const pair of [
      'orphan-rule orphan-dnat',
      'orphan-rule firewall-split-brain',
      'foreign-rule foreign-dnat',
      'stale-proxy stale-docker-proxy',
      'allocated-without-listener stale-allocation',
      'stopped-container port-free',
    ])
      expect(seen, pair).toContain(pair);
  });

  it('a DNAT to a host address is foreign in the map too, and the exporter counts no orphan for it', async () => {
    // nat-order-probe: DNATs to 127.0.0.1 (a local service), which the port map once called orphans
    const snap = snapshotFromCapture('nat-order-probe');
    const rules = portMap(snap).ports.filter((e) => e.owners.some((o) => o.kind === 'rule'));
    expect(rules.map((e) => e.status)).toEqual(['foreign-rule', 'foreign-rule', 'foreign-rule']);
    const m = createMetrics();
    observeSnapshot(m, snap, 0, 0);
    const text = await m.registry.metrics();
    expect(text).not.toMatch(/^portdoctor_orphan_dnat_rules\{[^}]*\} [1-9]/m);
    expect(text).toMatch(/^portdoctor_findings\{cause="foreign-dnat"\} 3$/m);
  });

  it('a docker-proxy whose executable is not an engine’s is a host process to both', () => {
    const snap = snapshotFromCapture('stale-proxy');
    const impostor: Snapshot = {
      ...snap,
      processes: snap.processes.ok
        ? {
            ...snap.processes,
            value: snap.processes.value.map((p) => (p.pid === 28994 ? { ...p, exe: '/usr/bin/sleep' } : p)),
          }
        : snap.processes,
      engineBinaries: {
        ok: true,
        value: { dockerProxy: [{ path: '/usr/bin/docker-proxy', why: 'test' }] },
        source: 'test',
      },
    };
    const e = portMap(impostor).ports.find((x) => x.port === 18501 && x.ip === '0.0.0.0');
    expect(e?.status).toBe('ok');
    expect(e?.owners).toEqual([expect.objectContaining({ kind: 'process', pid: 28994 })]);
    expect(diagnose(impostor, { proto: 'tcp', ip: '0.0.0.0', port: 18501 }).verdict.cause).toBe('host-process');
  });
});
