// A snapshot where every fact is readable and empty, so a test states only what differs (knip's
// baseline-spread idiom). Used for engines this machine cannot run (Docker 28/29, rootless, Podman).
import type {
  Container,
  DockerNetwork,
  EngineBinaries,
  EngineInfo,
  Fact,
  FirewallView,
  ForeignContainer,
  HostInfo,
  ProbeInfo,
  Proc,
  Routing,
  Snapshot,
  Socket,
} from '../../src/model.js';

export const emptyView = (backend: FirewallView['backend']): FirewallView => ({
  backend,
  dnat: [],
  tables: [],
  incompatible: [],
  hasDockerChain: false,
  warnings: [],
});

export const ENGINE: EngineInfo = {
  version: '29.1.3',
  apiVersion: '1.52',
  rootless: false,
  securityOptions: ['name=seccomp,profile=builtin'],
  firewallBackend: 'iptables',
  liveRestore: false,
  userlandProxy: true,
  dockerdPids: [900],
  iptablesVariant: 'nft',
  operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
  kernel: '6.18.0',
};
export const HOST: HostInfo = {
  kernel: '6.18.0',
  wsl: 0,
  uid: 0,
  hostNetns: 'net:[4026531833]',
  sysctl: {},
  legacyTables: { ip: [], ip6: [] },
  legacySupported: true,
};

export function container(
  id: string,
  name: string,
  ip: string,
  published: Array<[string, number, number, ('tcp' | 'udp')?]>,
  extra: Partial<Container> = {},
): Container {
  return {
    id: id.padEnd(64, id),
    name,
    state: 'running',
    status: 'Up',
    image: 'x',
    networkMode: 'bridge',
    ips: [ip],
    published: published.map(([hostIp, hostPort, containerPort, proto]) => ({
      proto: proto ?? 'tcp',
      hostIp,
      hostPort,
      containerPort,
    })),
    configured: null,
    restartPolicy: null,
    composeProject: null,
    composeService: null,
    composeWorkingDir: null,
    ...extra,
  };
}

export function sock(
  proto: 'tcp' | 'udp',
  ip: string,
  port: number,
  pids: number[],
  extra: Partial<Socket> = {},
): Socket {
  return {
    proto,
    family: ip.includes(':') ? 6 : 4,
    ip,
    port,
    v6only: ip === '::' ? true : null,
    state: proto === 'tcp' ? 'LISTEN' : 'UNCONN',
    inode: port * 10 + pids.length,
    uid: 0,
    pids,
    ...extra,
  };
}

export function proc(pid: number, comm: string, argv: string[] = [comm], extra: Partial<Proc> = {}): Proc {
  return {
    pid,
    ppid: 1,
    comm,
    argv,
    uid: 0,
    containerId: null,
    cgroup: '0::/',
    netns: 'net:[4026531833]',
    unit: null,
    ...extra,
  };
}

/** Docker's default bridge network, as every engine creates it (test/fixtures/lab/_env/api-networks.json) */
export const BRIDGE: DockerNetwork = {
  id: '1a792ab7b00908fd3ae8a02193b952babf4017e5bff2f176544eb99fdef7fa6a',
  name: 'bridge',
  driver: 'bridge',
  bridge: 'docker0',
  subnets: ['172.17.0.0/16'],
};

export interface Build {
  engine?: Partial<EngineInfo>;
  host?: Partial<HostInfo>;
  containers?: Container[];
  sockets?: Socket[];
  processes?: Proc[];
  iptablesNft?: FirewallView;
  iptablesLegacy?: FirewallView;
  nft?: FirewallView;
  /** default: the default bridge network; null: not collected */
  dockerNetworks?: DockerNetwork[] | null;
  routing?: Routing;
  otherEngines?: ForeignContainer[];
  engineBinaries?: EngineBinaries;
  /** default: recorded without a probe */
  probe?: Fact<ProbeInfo>;
}

export const NO_PROBE: Fact<ProbeInfo> = {
  ok: false,
  error: { code: 'absent', message: 'recorded without a bind probe' },
  source: 'test',
};

export function snapshot(b: Build = {}): Snapshot {
  const ok = <T>(value: T) => ({ ok: true as const, value, source: 'test' });
  return {
    schema: 'portdoctor.snapshot/1',
    takenAt: '2026-11-25T00:00:00Z',
    scope: { ports: null },
    host: ok({ ...HOST, ...b.host }),
    sockets: ok(b.sockets ?? []),
    processes: ok([proc(900, 'dockerd', ['dockerd']), ...(b.processes ?? [])]),
    engine: ok({ ...ENGINE, ...b.engine }),
    containers: ok(b.containers ?? []),
    iptablesNft: ok(b.iptablesNft ?? emptyView('iptables-nft')),
    iptablesLegacy: ok(b.iptablesLegacy ?? emptyView('iptables-legacy')),
    nft: ok(b.nft ?? emptyView('nft')),
    ...(b.dockerNetworks === null ? {} : { dockerNetworks: ok(b.dockerNetworks ?? [BRIDGE]) }),
    ...(b.routing ? { routing: ok(b.routing) } : {}),
    ...(b.otherEngines ? { otherEngines: ok(b.otherEngines) } : {}),
    ...(b.engineBinaries ? { engineBinaries: ok(b.engineBinaries) } : {}),
    probe: b.probe ?? NO_PROBE,
  };
}
