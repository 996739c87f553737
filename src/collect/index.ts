// collectSnapshot: run every collector (concurrently where they wait on other processes), wrap
// each result in a Fact, and never throw: a broken collector becomes a named error in the snapshot.
import type { Fact, FirewallView, Snapshot } from '../model.js';
import { collectDocker } from './docker.js';
import { collectEngineBinaries } from './engine-binaries.js';
import { collectDockerNetworks, collectRouting } from './network.js';
import { collectPodman } from './other-engines.js';
import { chainManager } from '../owners/nat-owner.js';
import { isDockerProxy } from './parse/docker-proxy-argv.js';
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
  // a docker-proxy that no dockerd started: is its executable an engine's? (src/owners/process-owner.ts)
  const procs = owners?.processes.ok ? owners.processes.value : [];
  const strayProxy = procs.some(
    (p) =>
      isDockerProxy(p.comm, p.argv) &&
      !dockerdPids.includes(p.ppid) &&
      procs.find((x) => x.pid === p.ppid)?.comm !== 'dockerd',
  );
  const engineBinaries = strayProxy ? collectEngineBinaries(io, dockerdPids, procs) : undefined;
  const [iptNft, nft, iptLegacy] = await Promise.all([iptNftP, nftP, iptLegacyP]);
  // who owns each DNAT rule in scope needs routes, the engine's networks and (for Podman's chains) podman
  const rules = [iptNft, nft, iptLegacy].flatMap((f) => (f.ok ? f.value.dnat : []));
  const [routing, dockerNetworks, otherEngines] = rules.length
    ? await Promise.all([
        traced('ip -j', collectRouting(io, t)),
        collectDockerNetworks(io, t),
        rules.some((r) => chainManager(r)?.kind === 'podman') ? traced('podman ps', collectPodman(io, t)) : undefined,
      ])
    : [undefined, undefined, undefined];
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
    ...(routing ? { routing } : {}),
    ...(dockerNetworks ? { dockerNetworks } : {}),
    ...(otherEngines ? { otherEngines } : {}),
    ...(engineBinaries ? { engineBinaries } : {}),
  };
}

/** Tables iptables-nft-save could print are read there; nft -j would repeat them without DNAT targets. */
export function nftSkipTables(iptNft: Fact<FirewallView>): Set<string> {
  return new Set<string>(iptNft.ok ? iptNft.value.tables.filter((x) => !iptNft.value.incompatible.includes(x)) : []);
}
