// collectSnapshot: run every collector (concurrently where they wait on other processes), wrap
// each result in a Fact, and never throw: a broken collector becomes a named error in the snapshot.
import type { Fact, FirewallView, ProbeInfo, Snapshot } from '../model.js';
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
import { collectPortSockets, probeBinds, probeFact, probeOff, refusedUnexplained, type ProbeRequest } from './probe.js';
import { collectSocketsView } from './sockets.js';
import { trace, traced } from '../util/trace.js';

export interface CollectOptions {
  /** only these host ports (a single-port question); omit for the whole host */
  readonly ports?: readonly number[];
  readonly timeoutMs?: number;
  readonly now?: () => Date;
  /**
   * the binds to probe (src/collect/probe.ts); default: tcp and udp of each asked port on the engine's
   * default host IPs; false: no probe (--no-probe). Without `ports` nothing is probed.
   */
  readonly probe?: readonly ProbeRequest[] | false;
  /**
   * false: the iptables views carry no rule sets for the path model (`ports` maps DNAT rules only), so
   * a busy host's every rule is not held tokenised twice; default true
   */
  readonly rulesets?: boolean;
}

export async function collectSnapshot(io: HostIO = nodeHostIO(), opts: CollectOptions = {}): Promise<Snapshot> {
  const ports = opts.ports && opts.ports.length ? new Set(opts.ports) : null;
  const t = opts.timeoutMs ?? 4000;
  const host = collectHost(io);
  const legacy = host.ok ? host.value.legacyTables : null;
  // start the slow, out-of-process collectors first; read /proc while they run
  trace('collect start');
  const chainsP = listChains(io, t);
  const rs = opts.rulesets !== false;
  const iptNftP = traced('iptables-nft-save', collectIptablesNft(io, t, ports, hasIp6Nat(chainsP), rs));
  const iptLegacyP = traced('iptables-legacy-save', collectIptablesLegacy(io, legacy, t, ports, rs));
  const nftP = traced('nft -j', collectNft(io, iptNftP.then(nftSkipTables), t, chainsP, ports));
  // after the firewall dumps: its first part (dockerd's config from /proc) is synchronous
  const dockerP = traced('docker api', collectDocker(io, t));
  const { listening: socketsF, anyState: portView } = await traced('sockets', collectSocketsView(io, ports));
  const probeAsked: readonly ProbeRequest[] =
    opts.probe === false || !ports
      ? []
      : (opts.probe ??
        [...ports].flatMap((port) => (['tcp', 'udp'] as const).map((proto) => ({ proto, ip: null, port }))));
  const probePorts = new Set(probeAsked.map((r) => r.port));
  const docker = await dockerP;
  const dockerdPids = docker.engine.ok ? docker.engine.value.dockerdPids : [];
  // the binds first: whether bound-only sockets need a dump of their own depends on what was refused
  const probeBindsDone = probeAsked.length
    ? probeBinds(io, probeAsked, docker.engine.ok ? docker.engine.value : null)
    : null;
  const anyState = probePorts.size
    ? await traced(
        'any-state sockets',
        collectPortSockets(
          io,
          probePorts,
          host.ok ? host.value : null,
          t,
          [...probePorts].every((p) => ports?.has(p)) ? portView : null,
          (seen) => refusedUnexplained(probePorts, probeBindsDone?.binds ?? [], seen),
        ),
      )
    : null;
  // one owner scan for the listeners and for every other socket on the probed ports
  const listening = socketsF.ok ? socketsF.value : [];
  const seenInodes = new Set(listening.map((s) => s.inode));
  const extra = (anyState?.sockets ?? []).filter((s) => s.inode === 0 || !seenInodes.has(s.inode));
  const owners = socketsF.ok || extra.length ? scanOwners(io, [...listening, ...extra], dockerdPids) : null;
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
  const withPids = owners?.sockets ?? [];
  const sockets = owners && socketsF.ok ? { ...socketsF, value: withPids.slice(0, listening.length) } : socketsF;
  // the any-state view keeps the listeners too, so it stands on its own
  const portSockets = anyState
    ? [
        ...withPids.slice(0, listening.length).filter((s) => probePorts.has(s.port)),
        ...withPids.slice(listening.length),
      ]
    : [];
  const probe =
    probeBindsDone && anyState
      ? probeFact(probeBindsDone, portSockets, anyState.looked)
      : probeOff<ProbeInfo>(
          opts.probe === false
            ? 'the bind probe was turned off (--no-probe)'
            : 'no port was asked: the bind probe only binds the ports a question names',
        );
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
    probe,
  };
}

/** Tables iptables-nft-save could print are read there; nft -j would repeat them without DNAT targets. */
export function nftSkipTables(iptNft: Fact<FirewallView>): Set<string> {
  return new Set<string>(iptNft.ok ? iptNft.value.tables.filter((x) => !iptNft.value.incompatible.includes(x)) : []);
}
