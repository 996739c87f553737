// The exporter's metrics, with prom-client. Names follow Prometheus conventions: units in the
// name, `_total` only on counters. Gauges are re-set from one collection (a snapshot); counters
// only ever grow (events, daemon log).
import { Counter, Gauge, Registry } from 'prom-client';
import { diagnose } from '../diagnose.js';
import { FACT_KEYS, type Snapshot } from '../model.js';
import { portMap } from '../portmap.js';
import { firewallViews } from '../snapshot/index.js';
import { VERSION } from '../version.js';
import type { LogSignal } from '../collect/daemon-log.js';

/** collected only when a DNAT rule or a docker-proxy is in scope: a success series only when they ran */
const OPTIONAL_FACTS = ['routing', 'dockerNetworks', 'otherEngines', 'engineBinaries'] as const;

export function createMetrics(registry = new Registry()) {
  const g = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });
  const c = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name, help, labelNames, registers: [registry] });
  // the convention of node_exporter and Prometheus itself: a constant 1 whose labels say what runs
  const buildInfo = g('portdoctor_build_info', 'Always 1; labels: the portdoctor version and the Node.js it runs on', [
    'version',
    'node',
    'platform',
    'arch',
  ]);
  buildInfo.set({ version: VERSION, node: process.versions.node, platform: process.platform, arch: process.arch }, 1);
  return {
    registry,
    buildInfo,
    collectorSuccess: g(
      'portdoctor_collector_success',
      '1 when the collector read its fact at the last collection, 0 when it failed (present for every collector that ran)',
      ['collector'],
    ),
    listening: g(
      'portdoctor_listening_sockets',
      'Listening TCP and bound UDP sockets in the host network namespace, by the kind of owner',
      ['owner_kind'],
    ),
    published: g('portdoctor_published_host_ports', 'Host ports published by running containers'),
    containers: g('portdoctor_containers', 'Containers by state', ['state']),
    dnat: g(
      'portdoctor_docker_chain_dnat_rules',
      "DNAT rules in Docker's chains (DOCKER, or nat-prerouting-and-output of the nftables backend), by firewall backend",
      ['backend'],
    ),
    orphans: g(
      'portdoctor_orphan_dnat_rules',
      'Reachable DNAT rules whose target no live container publishes, by backend',
      ['backend'],
    ),
    ctEntries: g('portdoctor_conntrack_entries', 'Connection-tracking entries in use (nf_conntrack_count)'),
    ctLimit: g('portdoctor_conntrack_entries_limit', 'Connection-tracking table size (nf_conntrack_max)'),
    ctRatio: g('portdoctor_conntrack_utilization_ratio', 'nf_conntrack_count / nf_conntrack_max'),
    ports: g('portdoctor_ports', 'Entries of the host port map by status', ['status']),
    findings: g('portdoctor_findings', 'Current port findings by verdict cause (conflicts and hazards only)', [
      'cause',
    ]),
    collectErrors: g('portdoctor_collect_errors', '1 when a collector failed at the last collection', ['fact', 'code']),
    collectDuration: g('portdoctor_collect_duration_seconds', 'Duration of the last collection'),
    lastCollect: g('portdoctor_last_collect_timestamp_seconds', 'Unix time of the last collection'),
    collections: c(
      'portdoctor_collections_total',
      'Collections run (a scrape within the cache interval reuses the last one)',
    ),
    logErrors: c('portdoctor_daemon_log_errors_total', 'dockerd log errors since the exporter started', ['error']),
    logSource: g('portdoctor_daemon_log_source_info', 'Where the daemon log is read from', ['source']),
    startFailures: c(
      'portdoctor_container_start_failures_total',
      'Container starts that failed, by the stage of the error (port-allocator, userland-proxy, host-bind, …)',
      ['stage'],
    ),
    restarts: c(
      'portdoctor_container_restarts_total',
      'Container restarts seen on the events stream (a start after a die)',
    ),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;

const OWNER_KINDS = ['process', 'docker-proxy', 'dockerd', 'container', 'unseen'] as const;

/** Gauges from one snapshot. Pure apart from setting the gauges. */
export function observeSnapshot(m: Metrics, snap: Snapshot, durationSec: number, nowSec: number): void {
  const map = portMap(snap);
  m.listening.reset();
  for (const k of OWNER_KINDS) m.listening.set({ owner_kind: k }, 0);
  if (snap.sockets.ok) {
    for (const e of map.ports)
      for (const o of e.owners)
        if (o.kind !== 'rule' && !(o.kind === 'container' && o.via === 'published'))
          m.listening.inc({ owner_kind: o.kind });
  }
  const containers = snap.containers.ok ? snap.containers.value : [];
  m.published.set(containers.filter((c) => c.state === 'running').reduce((n, c) => n + c.published.length, 0));
  m.containers.reset();
  for (const c of containers) m.containers.inc({ state: c.state });
  m.dnat.reset();
  m.orphans.reset();
  for (const v of firewallViews(snap)) {
    m.orphans.set({ backend: v.backend }, 0);
    m.dnat.set({ backend: v.backend }, 0);
    for (const r of v.dnat)
      if (r.chain === 'DOCKER' || r.chain === 'nat-prerouting-and-output') m.dnat.inc({ backend: r.backend });
  }
  const orphanRules = new Set<string>();
  for (const e of map.ports)
    for (const o of e.owners)
      if (o.kind === 'rule' && o.orphan)
        orphanRules.add(`${o.backend}|${o.table}|${o.chain}|${o.toIp}|${e.proto}|${e.port}|${e.ip}`);
  for (const k of orphanRules) m.orphans.inc({ backend: k.split('|')[0] as string });
  const sys = snap.host.ok ? snap.host.value.sysctl : {};
  const count = Number(sys['net.netfilter.nf_conntrack_count']);
  const max = Number(sys['net.netfilter.nf_conntrack_max']);
  if (Number.isFinite(count) && Number.isFinite(max) && max > 0) {
    m.ctEntries.set(count);
    m.ctLimit.set(max);
    m.ctRatio.set(count / max);
  }
  m.ports.reset();
  for (const e of map.ports) m.ports.inc({ status: e.status });
  m.findings.reset();
  const seen = new Set<string>();
  for (const e of map.ports) {
    if (e.status === 'ok' || e.status === 'stopped-container') continue;
    const k = `${e.proto}/${e.port}`;
    if (seen.has(k)) continue;
    seen.add(k);
    const d = diagnose(snap, { proto: e.proto, ip: null, port: e.port });
    if (d.verdict.cause !== 'port-free') m.findings.inc({ cause: d.verdict.cause });
  }
  m.collectErrors.reset();
  m.collectorSuccess.reset();
  for (const k of FACT_KEYS) {
    const f = snap[k];
    // the bind probe binds only the ports a question names: over the whole host it does not run at all,
    // which is no failure (a 0 here would keep PortdoctorCollectorFailing firing on every exporter)
    if (k === 'probe' && !f.ok && f.error.code === 'unsupported') continue;
    m.collectorSuccess.set({ collector: k }, f.ok ? 1 : 0);
    if (!f.ok) m.collectErrors.set({ fact: k, code: f.error.code }, 1);
  }
  for (const k of OPTIONAL_FACTS) {
    const f = snap[k];
    if (f) m.collectorSuccess.set({ collector: k }, f.ok ? 1 : 0);
  }
  m.collectDuration.set(durationSec);
  m.lastCollect.set(nowSec);
  m.collections.inc();
}

export function observeLog(m: Metrics, counts: Record<LogSignal, number>): void {
  for (const [k, v] of Object.entries(counts)) m.logErrors.inc({ error: k }, v);
}
