// collectSnapshot: run every collector (concurrently where they wait on other processes), wrap
// each result in a Fact, and never throw: a broken collector becomes a named error in the snapshot.
import type { Fact, FirewallView, Snapshot } from '../model.js';
import { collectDocker } from './docker.js';
import { collectIptablesLegacy, collectIptablesNft, collectNft, hasIp6Nat, listChains } from './firewall.js';
import { collectHost } from './host.js';
import { nodeHostIO, type HostIO } from './host-io.js';
import { scanOwners } from './processes.js';
import { collectSockets } from './sockets.js';
import { trace, traced } from '../util/trace.js';

export interface CollectOptions {
  /** only these host ports (a single-port question); omit for the whole host */
  readonly ports?: readonly number[];
  readonly timeoutMs?: number;
  readonly now?: () => Date;
}

export async function collectSnapshot(io: HostIO = nodeHostIO(), opts: CollectOptions = {}): Promise<Snapshot> {
  const ports = opts.ports && opts.ports.length ? new Set(opts.ports) : null;
  const t = opts.timeoutMs ?? 4000;
  const host = collectHost(io);
  const legacy = host.ok ? host.value.legacyTables : null;
  // start the slow, out-of-process collectors first; read /proc while they run
  trace('collect start');
  const dockerP = traced('docker api', collectDocker(io, t));
  const chainsP = listChains(io, t);
  const iptNftP = traced('iptables-nft-save', collectIptablesNft(io, t, ports, hasIp6Nat(chainsP)));
  const iptLegacyP = traced('iptables-legacy-save', collectIptablesLegacy(io, legacy, t, ports));
  const nftP = traced('nft -j', collectNft(io, iptNftP.then(nftSkipTables), t, chainsP));
  const socketsF = await traced('sockets', collectSockets(io, ports));
  const docker = await dockerP;
  const dockerdPids = docker.engine.ok ? docker.engine.value.dockerdPids : [];
  const owners = socketsF.ok ? scanOwners(io, socketsF.value, dockerdPids) : null;
  trace('owners scanned');
  const [iptNft, nft, iptLegacy] = await Promise.all([iptNftP, nftP, iptLegacyP]);
  const sockets = owners && socketsF.ok ? { ...socketsF, value: owners.sockets } : socketsF;
  return {
    schema: 'portdoctor.snapshot/1',
    takenAt: (opts.now?.() ?? new Date()).toISOString(),
    scope: { ports: ports ? [...ports] : null },
    host,
    sockets,
    processes: owners
      ? owners.processes
      : { ok: false, error: { code: 'failed', message: 'no sockets to look up owners for' }, source: '/proc' },
    engine: docker.engine,
    containers: docker.containers,
    iptablesNft: iptNft,
    iptablesLegacy: iptLegacy,
    nft,
  };
}

/** Tables iptables-nft-save could print are read there; nft -j would repeat them without DNAT targets. */
export function nftSkipTables(iptNft: Fact<FirewallView>): Set<string> {
  return new Set<string>(iptNft.ok ? iptNft.value.tables.filter((x) => !iptNft.value.incompatible.includes(x)) : []);
}
