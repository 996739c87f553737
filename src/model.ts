// The shared vocabulary of portdoctor. Plain data only: no imports from other src/ folders,
// so a snapshot can be saved, replayed and judged without touching a host.

export type Proto = 'tcp' | 'udp';
export type Family = 4 | 6;

/** A host (ip, proto, port) as the kernel and dockerd key it. `v6only` only matters for '::'. */
export interface Bind {
  readonly proto: Proto;
  readonly ip: string;
  readonly port: number;
  /** true: IPV6_V6ONLY set; false: dual-stack; null: could not be seen (no `ss`). */
  readonly v6only?: boolean | null;
}

export type FactErrorCode = 'denied' | 'absent' | 'timeout' | 'unparsable' | 'unsupported' | 'failed';

/** A collector's result: a value, or why not. Collectors never throw past collect/. */
export type Fact<T> =
  | { readonly ok: true; readonly value: T; readonly source: string; readonly notes?: readonly string[] }
  | {
      readonly ok: false;
      readonly error: { readonly code: FactErrorCode; readonly message: string };
      readonly source: string;
    };

export interface HostInfo {
  readonly kernel: string;
  /** 0 = not WSL, 1 = WSL1, 2 = WSL2 */
  readonly wsl: 0 | 1 | 2;
  readonly uid: number;
  readonly hostNetns: string | null;
  readonly sysctl: Readonly<Record<string, string>>;
  /** names in /proc/net/ip_tables_names and ip6_tables_names: legacy x_tables that exist in the kernel */
  readonly legacyTables: { readonly ip: readonly string[]; readonly ip6: readonly string[] };
  /** can this kernel run iptables-legacy at all (x_tables ip_tables present)? null = could not tell */
  readonly legacySupported?: boolean | null;
  /** the host's local addresses (/proc/net/fib_trie LOCAL, /proc/net/if_inet6) */
  readonly localAddrs?: readonly string[];
  /** the interface of the IPv4 default route (/proc/net/route), where outside traffic usually arrives */
  readonly defaultIface?: string | null;
  /** the host's own address on that interface's subnet: where outside clients usually connect */
  readonly defaultAddr?: string | null;
}

export type SocketState =
  | 'LISTEN'
  | 'UNCONN'
  | 'ESTABLISHED'
  | 'SYN-SENT'
  | 'SYN-RECV'
  | 'FIN-WAIT-1'
  | 'FIN-WAIT-2'
  | 'TIME-WAIT'
  | 'CLOSE'
  | 'CLOSE-WAIT'
  | 'LAST-ACK'
  | 'CLOSING'
  /** bound, neither listening nor connected (only sock_diag lists these) */
  | 'BOUND'
  | 'OTHER';

export interface Socket {
  readonly proto: Proto;
  readonly family: Family;
  readonly ip: string;
  readonly port: number;
  readonly v6only: boolean | null;
  readonly state: SocketState;
  readonly inode: number;
  readonly uid: number;
  /** pids holding the socket; empty when no process could be seen holding it (not root, or kernel-owned) */
  readonly pids: readonly number[];
}

export interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  readonly argv: readonly string[];
  readonly uid: number | null;
  /** the 64-hex id of the Docker container whose cgroup holds this process, when there is one */
  readonly containerId: string | null;
  readonly cgroup: string;
  readonly netns: string | null;
  /** systemd unit from the cgroup path, e.g. nginx.service */
  readonly unit: string | null;
  /** /proc/PID/exe as the kernel names it; null = could not be read (not root); absent in older snapshots */
  readonly exe?: string | null;
}

export interface DockerProxyArgs {
  readonly proto: Proto;
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerIp: string;
  readonly containerPort: number;
  readonly useListenFd: boolean;
}

export interface EngineInfo {
  /** which engine answers on the socket: Docker, or Podman's Docker-compatible API */
  readonly product?: 'docker' | 'podman';
  readonly version: string;
  readonly apiVersion: string;
  readonly rootless: boolean;
  readonly securityOptions: readonly string[];
  /** from GET /info FirewallBackend.Driver (API >= 1.49) or daemon config; null when the daemon does not say */
  readonly firewallBackend: string | null;
  readonly liveRestore: boolean;
  /** userland-proxy setting: from the dockerd argv or daemon.json; default true */
  readonly userlandProxy: boolean;
  /** pids of dockerd processes on this host (the parents of legitimate docker-proxies) */
  readonly dockerdPids: readonly number[];
  /** which iptables the daemon runs: 'nft' | 'legacy' | null (unknown) */
  readonly iptablesVariant: 'nft' | 'legacy' | null;
  readonly operatingSystem: string;
  readonly kernel: string;
  /** rootless only: RootlessKit's --port-driver and --net, when its process could be read */
  readonly rootlessPortDriver?: string | null;
  readonly rootlessNet?: string | null;
}

export interface PortBinding {
  readonly proto: Proto;
  readonly hostIp: string;
  readonly hostPort: number;
  readonly containerPort: number;
}

export interface Container {
  readonly id: string;
  readonly name: string;
  /** created | running | paused | restarting | removing | exited | dead */
  readonly state: string;
  readonly status: string;
  readonly image: string;
  readonly networkMode: string;
  readonly ips: readonly string[];
  /** per network: its name and id, the container's address, prefix and gateway (absent in older snapshots) */
  readonly networks?: readonly ContainerNetwork[];
  /** what the API lists as published; lists ports even for some Created/Exited containers that hold nothing */
  readonly published: readonly PortBinding[];
  /** HostConfig.PortBindings from inspect (what it would claim on start), when inspected */
  readonly configured: readonly PortBinding[] | null;
  readonly restartPolicy: string | null;
  readonly composeProject: string | null;
  readonly composeService: string | null;
  readonly composeWorkingDir: string | null;
}

export interface ContainerNetwork {
  readonly name: string;
  readonly id: string;
  readonly ip: string;
  readonly prefixLen: number;
  readonly gateway: string;
}

export type FirewallBackend = 'iptables-nft' | 'iptables-legacy' | 'nft';

export interface DnatRule {
  readonly backend: FirewallBackend;
  readonly family: 'ip' | 'ip6';
  readonly table: string;
  readonly chain: string;
  readonly proto: Proto;
  readonly dport: number;
  readonly dportEnd: number;
  /** destination address match (without /32), null for any */
  readonly daddr: string | null;
  readonly toIp: string;
  readonly toPort: number | null;
  /** the rule as the tool printed it (iptables-save line, or nft text) */
  readonly text: string;
  /** iptables-save argv after `-A CHAIN` (to delete by full spec); null for nft */
  readonly spec: readonly string[] | null;
  /** nft rule handle; null for iptables */
  readonly handle: number | null;
  /** 0-based index among the chain's rules */
  readonly position: number;
  /** can packets reach this rule from a prerouting/output hook? null if unknown */
  readonly reachable: boolean | null;
  /** nft base-chain priority of the hook that reaches it, when known */
  readonly priority: number | null;
  readonly comment: string | null;
  /** comments of the rules that jump to this rule's chain (CNI and netavark name the container there) */
  readonly jumpComments?: readonly string[];
}

/** One netfilter match as the path model evaluates it; `neg` is the rule's `!`. */
export type NfMatch =
  | { readonly k: 'iif' | 'oif'; readonly neg: boolean; readonly names: readonly string[] }
  | { readonly k: 'saddr' | 'daddr'; readonly neg: boolean; readonly cidrs: readonly string[] }
  | { readonly k: 'proto'; readonly neg: boolean; readonly protos: readonly string[] }
  | {
      readonly k: 'sport' | 'dport';
      readonly neg: boolean;
      readonly ranges: readonly (readonly [number, number])[];
      /** the protocol the match implies (iptables `-m tcp`, nft `tcp dport`); null for `th dport` */
      readonly proto: string | null;
    }
  /** iptables `-m addrtype --dst-type`, nft `fib daddr type`; types upper-case (LOCAL, UNICAST…) */
  | { readonly k: 'addrtype'; readonly dir: 'src' | 'dst'; readonly neg: boolean; readonly types: readonly string[] }
  /** conntrack state (NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED, DNAT, SNAT) */
  | { readonly k: 'ctstate'; readonly neg: boolean; readonly states: readonly string[] }
  /** anything the model cannot evaluate: it forks the walk (matches and not) */
  | { readonly k: 'unknown'; readonly text: string };

export type NfVerdict =
  /** none: no verdict (counter, log, mark): the next rule runs */
  | { readonly k: 'accept' | 'drop' | 'reject' | 'return' | 'none' }
  | { readonly k: 'jump' | 'goto'; readonly chain: string }
  /** ip null: a DNAT whose target could not be decoded */
  | { readonly k: 'dnat'; readonly ip: string | null; readonly port: number | null }
  | { readonly k: 'redirect'; readonly port: number | null }
  /** nft verdict map keyed on the in/out interface name; names with a trailing * are prefixes */
  | {
      readonly k: 'vmap';
      readonly key: 'iif' | 'oif';
      readonly entries: readonly { readonly name: string; readonly verdict: NfVerdict }[];
    }
  | { readonly k: 'unknown'; readonly text: string };

export interface NfRule {
  readonly matches: readonly NfMatch[];
  readonly verdict: NfVerdict;
  /** the rule as the tool printed it */
  readonly text: string;
  /** 0-based index among the chain's rules as listed (before any pruning) */
  readonly position: number;
  readonly handle: number | null;
  /** iptables-save argv after `-A CHAIN`; null for nft */
  readonly spec: readonly string[] | null;
  readonly comment: string | null;
}

export type NfHook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

export interface NfChain {
  readonly name: string;
  /** base chains only */
  readonly hook: NfHook | null;
  readonly type: 'filter' | 'nat' | 'route' | null;
  readonly priority: number | null;
  readonly policy: 'accept' | 'drop' | null;
  readonly rules: readonly NfRule[];
}

/** A table as the path model walks it: base chains and the chains they reach (for the ports asked). */
export interface NfTable {
  readonly backend: FirewallBackend;
  readonly family: 'ip' | 'ip6' | 'inet';
  readonly name: string;
  readonly chains: readonly NfChain[];
  /** rules whose port matches cannot hold for the ports asked were left out */
  readonly portScoped: boolean;
}

export interface FirewallView {
  readonly backend: FirewallBackend;
  readonly dnat: readonly DnatRule[];
  /** whole rule sets (raw, nat, filter) for the path model; absent in snapshots made before it */
  readonly rulesets?: readonly NfTable[];
  /** tables this view could read (e.g. 'ip nat', 'ip filter') */
  readonly tables: readonly string[];
  /** tables this tool could not show (``Table `nat' is incompatible``) */
  readonly incompatible: readonly string[];
  readonly hasDockerChain: boolean;
  readonly warnings: readonly string[];
}

export interface Symptom {
  readonly text: string;
  readonly stage: Stage;
  readonly proto: Proto | null;
  readonly ip: string | null;
  readonly port: number | null;
  readonly family: Family | null;
  readonly patternId: string;
}

/** What the kernel answered when asked the engine's own bind (socket options as that engine sets them). */
export type ProbeOutcome =
  /** bind(2) succeeded (and the socket was closed at once) */
  | 'free'
  /** EADDRINUSE */
  | 'in-use'
  /** EADDRNOTAVAIL / EAFNOSUPPORT: the address is not on this host (or IPv6 is off) */
  | 'not-available'
  /** EACCES: a privileged port and no CAP_NET_BIND_SERVICE */
  | 'denied'
  | 'failed';

export interface ProbedBind {
  readonly proto: Proto;
  readonly ip: string;
  readonly port: number;
  readonly reuseAddr: boolean;
  readonly v6only: boolean;
  readonly outcome: ProbeOutcome;
  /** errno name when bind(2) failed */
  readonly errno: string | null;
}

export interface ProbeInfo {
  /** the engine-semantics row whose bind was imitated (src/engines) */
  readonly engine: string;
  /** who binds the host socket under that engine (docker-proxy, dockerd, rootlesskit, conmon, …) */
  readonly binder: string;
  readonly binds: readonly ProbedBind[];
  /** binds that were not probed, and why (options unknown, another namespace, --no-probe …) */
  readonly skipped: readonly {
    readonly proto: Proto;
    readonly ip: string;
    readonly port: number;
    readonly why: string;
  }[];
  /** every socket of the host namespace on the probed ports, in any state, with the pids holding it */
  readonly portSockets: readonly Socket[];
  /** what the any-state look covered (and what it could not see) */
  readonly looked: readonly string[];
}

export interface Snapshot {
  readonly schema: 'portdoctor.snapshot/1';
  readonly takenAt: string;
  /** which ports the collection focused on; null = the whole host */
  readonly scope: { readonly ports: readonly number[] | null };
  readonly host: Fact<HostInfo>;
  readonly sockets: Fact<readonly Socket[]>;
  readonly processes: Fact<readonly Proc[]>;
  readonly engine: Fact<EngineInfo>;
  readonly containers: Fact<readonly Container[]>;
  readonly iptablesNft: Fact<FirewallView>;
  readonly iptablesLegacy: Fact<FirewallView>;
  readonly nft: Fact<FirewallView>;
  // Who owns a NAT rule and a docker-proxy (see src/owners/). Optional: older snapshots lack them,
  // and they are collected only when a DNAT rule or a docker-proxy is in scope.
  readonly routing?: Fact<Routing>;
  readonly dockerNetworks?: Fact<readonly DockerNetwork[]>;
  readonly otherEngines?: Fact<readonly ForeignContainer[]>;
  readonly engineBinaries?: Fact<EngineBinaries>;
  /** the bind probe (src/collect/probe.ts); absent in snapshots made before it existed */
  readonly probe: Fact<ProbeInfo>;
}

export type FactKey =
  'host' | 'sockets' | 'processes' | 'engine' | 'containers' | 'iptablesNft' | 'iptablesLegacy' | 'nft' | 'probe';
export const FACT_KEYS: readonly FactKey[] = [
  'host',
  'sockets',
  'processes',
  'engine',
  'containers',
  'iptablesNft',
  'iptablesLegacy',
  'nft',
  'probe',
];

/**
 * Every verdict cause. Adding one here makes the compiler ask for its entry in each per-cause table
 * (each is `satisfies Record<Cause, …>`): rank in src/verdict.ts, remedy in src/remedy/remedies/index.ts,
 * style in src/cli/render/causes.ts, doc in src/docs/causes.ts. CONTRIBUTING.md walks through it.
 */
export const CAUSES = [
  'host-process',
  'resolved-stub',
  'container',
  'host-network-container',
  'stale-docker-proxy',
  'stale-allocation',
  'orphan-dnat',
  'foreign-dnat',
  'firewall-split-brain',
  'rootless-regression',
  'docker-rules-missing',
  'firewall-drop',
  'conntrack-full',
  'port-free',
  'unknown',
] as const;
export type Cause = (typeof CAUSES)[number];

/** The stage vocabulary of the error corpus: which component refused the port. */
export const STAGES = [
  'port-allocator',
  'userland-proxy',
  'host-bind',
  'firewall-programming',
  'rootless-port-driver',
  'desktop-vpnkit',
  'permission',
  'address-not-available',
  'other',
] as const;
export type Stage = (typeof STAGES)[number];

export type Confidence = 'certain' | 'likely' | 'possible';
export type Severity = 'error' | 'warning' | 'info';

export type Holder =
  | {
      readonly kind: 'process';
      readonly pid: number;
      readonly comm: string;
      readonly argv: readonly string[];
      readonly unit: string | null;
      readonly bind: Bind;
    }
  | {
      readonly kind: 'docker-proxy';
      readonly pid: number;
      readonly comm: string;
      readonly ppid: number;
      readonly containerIp: string;
      readonly bind: Bind;
    }
  | {
      readonly kind: 'container';
      readonly id: string;
      readonly name: string;
      readonly state: string;
      readonly composeProject: string | null;
      readonly composeService: string | null;
      readonly bind: Bind;
      readonly pid?: number;
      readonly comm?: string;
    }
  | {
      readonly kind: 'rule';
      readonly backend: FirewallBackend;
      readonly family: 'ip' | 'ip6';
      readonly table: string;
      readonly chain: string;
      readonly rule: string;
      readonly handle: number | null;
      readonly toIp: string;
      readonly toPort: number | null;
      /** who the rule belongs to (src/owners/nat-owner.ts); absent where it was not judged */
      readonly owner?: NatOwnerRecord;
    };

export interface Evidence {
  /** which fact says so */
  readonly fact: FactKey | OwnerFactKey | 'symptom';
  readonly says: string;
}

export interface Finding {
  readonly rule: string;
  readonly cause: Cause;
  readonly severity: Severity;
  readonly confidence: Confidence;
  /** which of the rule's messages (src/rules/messages.ts); `message` is it rendered with `data` */
  readonly messageId: string;
  readonly message: string;
  readonly holders: readonly Holder[];
  readonly evidence: readonly Evidence[];
  /** extra data for remedies and renderers */
  readonly data: Readonly<Record<string, string | number | boolean | null>>;
}

export interface Inconclusive {
  readonly rule: string;
  readonly missing: readonly FactKey[];
  readonly why: string;
}

export interface Subject {
  readonly proto: Proto;
  /** null = Docker's default host IPs (0.0.0.0 and ::) */
  readonly ip: string | null;
  readonly port: number;
}

export interface Verdict {
  readonly cause: Cause;
  readonly confidence: Confidence;
  readonly summary: string;
}

export interface Diagnosis {
  readonly schema: 'portdoctor.diagnosis/1';
  /** ip: the host IP asked about ('0.0.0.0' when none was given); ips: every host IP docker run would bind */
  readonly subject: {
    readonly proto: Proto;
    readonly ip: string;
    readonly port: number;
    readonly ips: readonly string[];
  };
  readonly engine: string;
  readonly verdict: Verdict;
  readonly holders: readonly Holder[];
  readonly findings: readonly Finding[];
  readonly inconclusive: readonly Inconclusive[];
  readonly symptom: Symptom | null;
  readonly collectionErrors: readonly { readonly fact: FactKey; readonly code: string; readonly message: string }[];
  /** when a running container publishes the port: does each client path reach it? (src/path) */
  readonly paths?: readonly PathSummary[];
}

export interface PathSummary {
  /** outside | host:loopback | host:address | container:NAME */
  readonly from: string;
  readonly container: string;
  /** true: reaches the container (directly or through docker-proxy); false: does not; null: undecided */
  readonly reaches: boolean | null;
  readonly outcome: string;
}

/** A fact the executor re-checks against a fresh look at the host right before a step runs. */
export type Precondition =
  | {
      readonly kind: 'dnat-present';
      readonly backend: FirewallBackend;
      readonly family: 'ip' | 'ip6';
      readonly table: string;
      readonly chain: string;
      readonly spec: readonly string[] | null;
      readonly handle: number | null;
      readonly toIp: string;
      readonly dport: number;
    }
  | { readonly kind: 'ip-not-live'; readonly ip: string }
  /** the rule is still there and its owner check (src/owners/nat-owner.ts) still proves it an orphan */
  | {
      readonly kind: 'dnat-orphan';
      readonly backend: FirewallBackend;
      readonly family: 'ip' | 'ip6';
      readonly table: string;
      readonly chain: string;
      readonly spec: readonly string[] | null;
      readonly handle: number | null;
      readonly toIp: string;
      readonly dport: number;
    }
  | {
      readonly kind: 'process-is';
      readonly pid: number;
      readonly comm: string;
      readonly notChildOfDockerd: boolean;
      readonly holdsPort: number;
      /** the executable it must still run (/proc/PID/exe), when the plan relied on it */
      readonly exe?: string;
    }
  | { readonly kind: 'container-state'; readonly id: string; readonly states: readonly string[] };

export interface Step {
  readonly argv: readonly string[];
  readonly why: string;
  /** the step that undoes it, when there is one */
  readonly undo?: readonly string[];
}

export interface Plan {
  readonly remedy: string;
  /** only 'fix' plans run under --apply; 'suggest' needs a human */
  readonly safety: 'fix' | 'suggest';
  readonly title: string;
  readonly disrupts: readonly string[];
  readonly warnings: readonly string[];
  readonly preconditions: readonly Precondition[];
  readonly steps: readonly Step[];
  /** the finding this plan answers */
  readonly rule: string;
}

// ---- owners of NAT rules and of docker-proxy processes (facts collected by src/collect/network.ts,
// src/collect/engine-binaries.ts, src/collect/other-engines.ts; judged by src/owners/)

export type OwnerFactKey = 'routing' | 'dockerNetworks' | 'otherEngines' | 'engineBinaries';

export interface NetAddress {
  readonly family: Family;
  readonly local: string;
  readonly prefixlen: number;
}

export interface NetInterface {
  readonly name: string;
  /** link kind from `ip -d` (bridge, veth, wireguard, tun, vxlan…); null for a plain device */
  readonly kind: string | null;
  /** the bridge this interface is enslaved to */
  readonly master: string | null;
  readonly up: boolean;
  readonly addrs: readonly NetAddress[];
}

export interface Route {
  readonly family: Family;
  /** 'default' or a prefix ('172.17.0.0/16'; a host route as '10.0.0.5/32') */
  readonly dst: string;
  readonly dev: string | null;
  readonly gateway: string | null;
  /** unicast, unreachable, blackhole, prohibit, throw, local… */
  readonly type: string;
}

export interface Neighbour {
  readonly ip: string;
  readonly dev: string;
  readonly lladdr: string | null;
  /** REACHABLE, STALE, FAILED, INCOMPLETE, PERMANENT… */
  readonly state: readonly string[];
}

/** The host's interfaces, main routing table and neighbours (`ip -j`), for a route lookup of a DNAT target. */
export interface Routing {
  readonly interfaces: readonly NetInterface[];
  readonly routes: readonly Route[];
  readonly neighbours: readonly Neighbour[];
}

export interface DockerNetwork {
  readonly id: string;
  readonly name: string;
  readonly driver: string;
  /** the Linux bridge of a bridge network (docker0, br-<id12>, or com.docker.network.bridge.name) */
  readonly bridge: string | null;
  readonly subnets: readonly string[];
}

/** A container of another engine on this host (rootful Podman), as far as it could be listed. */
export interface ForeignContainer {
  readonly engine: 'podman';
  readonly id: string;
  readonly name: string;
  readonly state: string;
  readonly ips: readonly string[];
}

/** Realpaths of the docker-proxy binaries this host's engines run, and why each is believed. */
export interface EngineBinaries {
  readonly dockerProxy: readonly { readonly path: string; readonly why: string }[];
}

export type NatOwnerKind =
  'docker' | 'podman' | 'libvirt' | 'kube-proxy' | 'firewalld' | 'vpn' | 'host' | 'orphan' | 'unknown';

/** Who a DNAT rule belongs to, and on what evidence. `orphan` only with proof (see src/owners/nat-owner.ts). */
export interface NatOwnerRecord {
  readonly kind: NatOwnerKind;
  /** a container (Docker or Podman) the rule forwards for, when one is named */
  readonly containerId: string | null;
  readonly containerName: string | null;
  /** the interface the target is reached through, when a route lookup could be made */
  readonly iface: string | null;
  /** one sentence: why this owner */
  readonly why: string;
}
