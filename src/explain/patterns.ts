// The classifier is this table: ordered, most specific first; the first pattern that matches a
// message decides its stage. A new engine wording is one entry here, not a new branch of code.
import type { Stage } from './stages.js';

export interface ExplainContext {
  /** the user runs rootless Docker (or diagnose saw SecurityOptions name=rootless) */
  readonly rootless?: boolean;
}

export interface Pattern {
  readonly id: string;
  readonly stage: Stage;
  readonly re: RegExp;
  /**
   * also matches when every regex of one of these groups matches: "A somewhere, then B" written as
   * A.*B backtracks quadratically on a paste full of A's, two linear searches do not
   */
  readonly all?: readonly (readonly RegExp[])[];
  /** does not match when this matches too (an engine's wrapper around the same words) */
  readonly unless?: RegExp;
  /** extra condition on what else is known */
  readonly when?: (ctx: ExplainContext) => boolean;
  /** a real port conflict (something holds the port), as opposed to a look-alike */
  readonly conflict: boolean;
  readonly meaning: string;
  /** next checks; {port} {ip} {proto} {portArg} are filled from the subject */
  readonly next: readonly string[];
}

const DIAG = 'sudo portdoctor diagnose {portArg}';

export const PATTERNS: readonly Pattern[] = [
  {
    id: 'app-own-listen-eacces',
    stage: 'other',
    // Go's bare EACCES, like its bare EADDRINUSE (app-own-listen): every engine wraps it in words of its own
    // (cannot expose privileged port, PortManager, rootlessport, userland proxy, Ports are not available);
    // without them it is an application in the container, run as a non-root user, binding a port below 1024
    re: /listen (?:tcp|udp) \S{0,64}: bind: permission denied/i,
    unless:
      /Error response from daemon|driver failed programming|userland proxy|privileged port|PortManager|rootless|Ports are not available|something went wrong with the request|failed to bind (?:host )?port|cannot listen on the|Cannot start (?:container|service)|failed to set up container networking/i,
    conflict: false,
    meaning:
      'Printed by the application inside the container (docker logs), not by Docker: it runs as a non-root user and may not bind a port below 1024 (net.ipv4.ip_unprivileged_port_start) inside its own network namespace. Nothing holds the port.',
    next: [
      'docker inspect CONTAINER --format "{{.Config.User}}"',
      'give the image CAP_NET_BIND_SERVICE (cap_add / setcap), or let it listen on {unprivilegedPort} and publish -p {port}:{unprivilegedPort}',
    ],
  },
  {
    id: 'privileged-port',
    stage: 'permission',
    // vpnkit (Docker for Windows / Toolbox) reports EACCES as an OCaml Unix_error; podman 5 as "Port(s) already bound: 80: Permission denied"
    // Windows' WSAEACCES text is the only bind error that begins "An attempt was made" (pastes cut it there)
    re: /cannot expose privileged port|bind: permission denied|unexpected error Permission denied|access a socket in a way forbidden by its access permissions|bind: An attempt was made|Unix_error\(Unix\.EACCES|already bound: \d{1,5}: Permission denied/i,
    all: [[/Listen failed for HOST \w+ port/i, /Permission denied/i]],
    conflict: false,
    meaning:
      'Not a conflict: the bind was refused for lack of permission. In rootless Docker or Podman, ports below net.ipv4.ip_unprivileged_port_start (1024 by default) need that sysctl lowered or CAP_NET_BIND_SERVICE; on Windows, the port sits in a Hyper-V/WinNAT excluded range.',
    next: [
      'sysctl net.ipv4.ip_unprivileged_port_start',
      'publish a port >= 1024 instead (-p {unprivilegedPort}:…)',
      'Windows: netsh interface ipv4 show excludedportrange protocol=tcp',
    ],
  },
  {
    id: 'cannot-assign-address',
    stage: 'address-not-available',
    re: /cannot assign requested address/i,
    conflict: false,
    meaning:
      'Not a conflict: the host IP given in -p is not configured on this host (EADDRNOTAVAIL), e.g. an old docker0 address or an IP of another machine.',
    next: ['ip -br addr', 'publish on an address the host has (or 0.0.0.0 / 127.0.0.1)'],
  },
  {
    id: 'ipv6-disabled',
    stage: 'other',
    re: /address family not supported/i,
    conflict: false,
    meaning:
      'Not a conflict: IPv6 is disabled on the host (ipv6.disable=1) but the engine tried to publish on [::] (Docker 20.10.6 regression, fixed in 20.10.7).',
    next: [
      'cat /proc/cmdline | grep -o ipv6.disable=1',
      'upgrade Docker, or publish on an explicit IPv4 address (-p 0.0.0.0:{port}:…)',
    ],
  },
  {
    id: 'app-own-bind',
    stage: 'other',
    // nginx, Apache httpd, Kestrel, MongoDB, Python (asyncio, OSError), Node.js, Java, gunicorn, dnsmasq, postgres,
    // OpenSSH (Bind to port 22 on 0.0.0.0 failed), an application's own port check at the start of a line
    // (Port 8080 not available / Port 3000 is already in use: no engine words its error so):
    // the app's own listen, not the engine's. musl's (Alpine's) strerror(EADDRINUSE) is "Address in use": no
    // engine says it (Go says "address already in use", vpnkit EADDRINUSE)
    // a bare "2023/04/21 21:51:23 listen tcp …" line is Go's standard log prefix: an application's own
    // log (dockerd logs through logrus: time="…" level=…, and the CLI prefixes "Error response from daemon")
    re: /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d listen (?:tcp|udp)[46]? \S{1,64}: bind: address already in use|bind\(\) to \S{1,64} failed \(98: Address (?:already )?in use\)|make_sock: could not bind to address|Failed to bind to address https?:\/\/|SocketException: Address already in use|error while attempting to bind on address \(|listen EADDRINUSE: address already in use|failed to create listening socket for port \d|OSError: \[Errno (?:98|48)\] Address already in use|\[Errno 98\] error while attempting to bind|Address already in use \(Bind failed\)|could not bind IPv[46] address|\bAddress in use\b|Starting (?:frontend|proxy) \S{1,64}: cannot (?:create listening socket|bind socket)|java\.net\.BindException|Failed to listen on port \d{1,5} because|(?:Can't connect to|Connection in use:) \('|Bind to port \d{1,5} on \S{1,64} failed|^Port \d{1,5} (?:is |was )?(?:not available|already in use)/i,
    all: [[/\[emerg\]/, /bind/i]],
    conflict: false,
    meaning:
      "Printed by the application inside the container (docker logs), not by Docker: with network_mode: host it binds the host port directly, so another host listener (or a second copy of it) already has it; 'ports:' is ignored in host mode. (An application that cannot create the socket at all, e.g. on [::] with IPv6 disabled, says so in the same place.)",
    next: ['docker logs CONTAINER', 'sudo ss -tlnp "sport = :{port}"', DIAG],
  },
  {
    id: 'ip-address-in-use',
    stage: 'other',
    // libnetwork's IPAM says "Address already in use" (capital A, no "bind:") when an IP is taken;
    // the kernel's EADDRINUSE reaches Docker's messages as "bind: address already in use"
    re: /failed to allocate gateway \([^)]{0,64}\): Address already in use|(?:^|[a-z] |(?:failed|daemon): )Address already in use\.?$|Cannot start service [^\s:]{1,64}: Address already in use(?!\S)/,
    conflict: false,
    meaning:
      "Not a port conflict: an IP address is taken, not a port. The network's gateway, or a container's static IP (ipv4_address / --ip), is already allocated in Docker's IPAM: by a running container, a leftover endpoint, or an overlapping network.",
    next: [
      'docker network inspect NETWORK --format "{{json .IPAM.Config}} {{json .Containers}}"',
      'docker network ls; docker network prune (removes unused networks)',
      'drop the static ipv4_address, or pick a free one in the subnet',
    ],
  },
  {
    id: 'rootless-child-address',
    stage: 'rootless-port-driver',
    // 10.0.2.100 is RootlessKit's child-side address (slirp4netns port driver): the bind happened
    // inside the rootless namespace, so a host-side holder is not what this message is about
    re: /failed to bind host port (?:\d{1,5} )?(?:for )?10\.0\.2\.100:/,
    conflict: false,
    meaning:
      "Rootless Docker 28+ with the slirp4netns port driver: dockerd binds the host port on RootlessKit's child address 10.0.2.100 inside the rootless network namespace, and that bind failed. When it fails for every port you try, it is the port driver, not a process holding the port on the host.",
    next: [
      'systemctl --user cat docker | grep DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER',
      'switch the port driver to builtin (or pasta), or upgrade Docker and RootlessKit',
      'ss -tlnp "sport = :{port}" (on the host, outside the rootless namespace)',
    ],
  },
  {
    id: 'rootless-proxy-timeout',
    stage: 'rootless-port-driver',
    re: /timed out (?:proxy )?starting the userland proxy/i,
    when: (ctx) => ctx.rootless === true,
    conflict: false,
    meaning:
      'Rootless Docker: the port driver (rootlesskit-docker-proxy with slirp4netns) did not answer; a known regression with IPv6 bindings (20.10.6, rootlesskit#249), not a port conflict.',
    next: [
      'systemctl --user status docker',
      'publish on an explicit IPv4 address (-p 0.0.0.0:{port}:…)',
      'upgrade rootlesskit / Docker',
    ],
  },
  {
    id: 'rootless-empty-proxy-error',
    stage: 'rootless-port-driver',
    re: /[Ee]rror starting userland proxy:\s*(?:\.\s*)?$/, // one way to match the blanks: \s*\.?\s* backtracks quadratically
    conflict: false,
    meaning:
      'The proxy failed without saying why: rootlesskit-docker-proxy behaves so when the port driver refuses (a privileged port before rootlesskit 0.9.4, or the port busy in the real host namespace).',
    next: [
      'sysctl net.ipv4.ip_unprivileged_port_start',
      'ss -tlnp "sport = :{port}" (on the host, outside the rootless namespace)',
    ],
  },
  {
    id: 'rootless-port-driver',
    stage: 'rootless-port-driver',
    re: /port bindings are not yet supported by rootless containers|rootless networking does not allow port binding|RootlessKit PortManager|PortManager\.AddPort|rootlessport|slirp4netns|add_hostfwd|pasta failed|Failed to bind port \S{1,64} \([^)]{0,200}\) for option|unsupported IP \(v6\?\)|rootlesskit/i,
    conflict: true,
    meaning:
      "The rootless port driver (RootlessKit's builtin/slirp4netns driver, Podman's rootlessport, or pasta) could not listen on the port in the REAL host namespace: a host process, another rootless engine or the container's own previous forwarder holds it. Docker's allocator inside the rootless namespace cannot see that.",
    next: ['ss -tlnp "sport = :{port}"', DIAG, 'podman: podman ps -a --filter publish={port}'],
  },
  {
    id: 'desktop-port-forwarder',
    stage: 'desktop-vpnkit',
    re: /Ports are not available|unexpected error|Failed to bind: EADDRINUSE|proxy already running|something went wrong with the request: "listen |Bind for %a|vpnkit|com\.docker\.backend|mkdir \/port\/|[Ee]rror starting userland proxy: Bind for \S+ failed: port is already allocated/i,
    // Windows' EADDRINUSE text is the forwarder's only with the proxy's words; bare, it is an application's (app-own-listen)
    all: [[/Only one usage of each socket address/, /userland proxy/i]],
    conflict: true,
    meaning:
      "Docker Desktop's port forwarder (vpnkit / com.docker.backend, or gvproxy for podman machine) could not bind the port on the Mac/Windows host: a host process holds it (macOS AirPlay Receiver holds 5000 and 7000). Its 'already allocated' wording here means the host, not Docker's allocator.",
    next: [
      'macOS: sudo lsof -nP -iTCP:{port} -sTCP:LISTEN',
      'Windows: netstat -ano | findstr :{port}',
      'macOS 12+: turn off AirPlay Receiver for 5000/7000',
    ],
  },
  {
    id: 'port-allocator',
    stage: 'port-allocator',
    re: /port is already allocated|port '\d{1,5}' is already in use by service|unable to find a node with port \d{1,5} available|Unable to find a node that satisfies the following conditions\s{0,4}\[port \d{1,5}|host-mode port already in use on \d{1,5} nodes?/i,
    conflict: true,
    meaning:
      "dockerd's in-memory allocator already holds exactly this host IP, protocol and port for another mapping of the SAME daemon: usually a running container (or compose service), sometimes one whose docker-proxy died (then nothing listens). The kernel was never asked, so ss/lsof may show nothing. It keys on the host IP: the same port on another IP is not refused here.",
    next: ['docker ps --filter publish={port}', 'docker ps -a --format "{{.Names}}\\t{{.Status}}\\t{{.Ports}}"', DIAG],
  },
  {
    id: 'firewall-programming',
    stage: 'firewall-programming',
    re: /ip6?tables failed|Error ip6?tables [A-Z-]{1,30}:|COMMAND_FAILED:|ZONE_CONFLICT:|INVALID_ZONE:|Failed to Setup IP tables|Unable to enable (?:SKIP DNAT |NAT )?rule|xtables lock|unable to add inter-network communication rule|failed to create NAT chain|firewall-backend|IPv4 forwarding is disabled|Failed to program NAT chain|No chain\/target\/match|RULE_APPEND failed|Chain '\S+' does not exist|unable to add return rule|failed to list (?:iptables )?chains|running \[\/\S{0,40}ip6?tables|failed to locate iptables|netavark(?: \(exit code \d+\))?: (?:code: \d+|unable to|No such file|Failed to)|FirewallD1\.Exception|cni-nftables-firewall|RULE_APPEND failed|CHAIN_USER_DEL failed|CHAIN_ADD failed|Chain already exists|table `\w+' is incompatible/i,
    conflict: false,
    meaning:
      "Not a port conflict: the engine could not write its NAT/filter rules. Usually Docker's chains were flushed (firewalld or an iptables reload after dockerd started), or the kernel lacks the backend iptables uses (WSL2 without nf_tables: switch to iptables-legacy only where the kernel supports it).",
    next: [
      'sudo iptables -t nat -S DOCKER',
      'sudo nft list ruleset | head',
      'sudo systemctl restart docker (re-creates the chains; disrupts running containers unless live-restore is on)',
    ],
  },
  {
    id: 'host-bind',
    stage: 'host-bind',
    re: /failed to bind host port|failed to listen on (?:TCP|UDP|SCTP) socket|cannot listen on the (?:TCP|UDP) port|cannot bind \S+ port/i,
    conflict: true,
    meaning:
      "The engine's own bind() on the host failed (Docker 28+ binds before starting docker-proxy; Podman's conmon holds published ports). With 'address already in use' something outside this daemon's allocator holds it: a host process, a host-network container, a stray docker-proxy, another engine, or a container on an overlapping host IP.",
    next: ['sudo ss -tulpn "sport = :{port}"', DIAG],
  },
  {
    id: 'userland-proxy',
    stage: 'userland-proxy',
    re: /[Ee]rror starting userland proxy|timed out starting the userland proxy|Timed out proxy starting|failed to start docker-proxy|failed to start userland proxy|failed to bind port|failed to listen on/,
    conflict: true,
    meaning:
      "docker-proxy could not bind the host port: the kernel refused it. The holder can be anything: a host process, a host-network container, a stale docker-proxy, another daemon, or ANOTHER CONTAINER of this daemon on an overlapping host IP (e.g. yours on 127.0.0.1:P, theirs on 0.0.0.0:P). 'address in use' does not mean 'not a container'.",
    next: ['sudo ss -tulpn "sport = :{port}"', 'docker ps --filter publish={port}', DIAG],
  },
  {
    id: 'app-own-listen',
    stage: 'other',
    // Go's bare net error: every engine wraps it in its own words (userland proxy, Ports are not available,
    // rootlessport, PortManager, cannot listen on the TCP port …, all matched above). Without them it is
    // an application's log (Traefik, Caddy, AdGuard, logspout: through logrus, Go's log or a logger of its
    // own), and so is any EADDRINUSE on a line compose prefixes with a service name ("caddy  | ")
    re: /listen (?:tcp|udp) \S{0,64}: bind: (?:address already in use|Only one usage of each socket address)/i,
    all: [[/^[\w.-]+\s+\| /, /address already in use|EADDRINUSE|Only one usage of each socket address/i]],
    unless:
      /Error response from daemon|driver failed programming|Failed to allocate and map port|Cannot start container|failed to set up container networking/i,
    conflict: false,
    meaning:
      "Printed by an application (docker logs), not by Docker: the engine words this error as 'Error starting userland proxy', 'failed to bind host port' or 'Ports are not available'. In a host-network container (network_mode: host) the application binds the host port itself, so another host listener or host-network container holds it; in a bridge container the port is taken inside the container (two processes, or one started twice).",
    next: ['docker logs CONTAINER', 'sudo ss -tlnp "sport = :{port}"', DIAG],
  },
  {
    id: 'docker-proxy-bare',
    stage: 'userland-proxy',
    // tcp4/tcp6/udp4/udp6 are docker-proxy's network names (20.10.2+): its error quoted without the daemon's wrapper
    re: /listen (?:tcp|udp)[46] \S{0,64}: bind: address already in use/i,
    conflict: true,
    meaning:
      "docker-proxy's error (the daemon's wrapper was not pasted): the kernel refused its bind of the host port because some socket already holds it: a host process, a host-network container, a stale docker-proxy or another container on an overlapping host IP.",
    next: ['sudo ss -tulpn "sport = :{port}"', 'docker ps --filter publish={port}', DIAG],
  },
  {
    id: 'kernel-eaddrinuse',
    stage: 'host-bind',
    re: /bind: address already in use|Address already in use|EADDRINUSE/i,
    conflict: true,
    meaning:
      'A bind() on the host failed with EADDRINUSE: some socket already holds an overlapping address on that port.',
    next: ['sudo ss -tulpn "sport = :{port}"', DIAG],
  },
  {
    id: 'network-mode-ports',
    stage: 'other',
    re: /network_mode is incompatible with port_bindings|conflicting options: port publishing and the container type network mode|container cannot be disconnected from host network or connected to host network/i,
    conflict: false,
    meaning:
      'Not a port conflict: the service uses another network namespace (network_mode: host, or container:/service:) and also lists ports:, which only a bridge network can publish. Nothing holds a port.',
    next: ["remove 'ports:' (host mode binds the container's ports directly), or drop network_mode"],
  },
  {
    id: 'network-overlap',
    stage: 'other',
    re: /networks have overlapping IPv[46]|Pool overlaps with other one on this address space/,
    conflict: false,
    meaning:
      "Not a port conflict: the network's subnet overlaps another Docker network's (or a host route's). Docker refuses to create it; nothing holds a port.",
    next: [
      'docker network ls; docker network inspect NETWORK --format "{{json .IPAM.Config}}"',
      'docker network prune, or give the network another subnet',
    ],
  },
  {
    id: 'windows-containers',
    stage: 'other',
    re: /HNS failed with error|Windows does not support host IP addresses in NAT settings/,
    conflict: false,
    meaning:
      "Windows containers: the Host Networking Service (HNS / WinNAT) refused the endpoint (a NAT network or port reservation left over, or a host IP in -p, which WinNAT cannot do). Not a Linux port conflict: portdoctor's diagnose does not apply on Windows.",
    next: ['Get-NetNatStaticMapping; Get-HnsEndpoint (PowerShell, as administrator)', 'Restart-Service hns'],
  },
  {
    id: 'compose-v1-host-in-use',
    stage: 'other',
    re: /Host is already in use by another container/i,
    conflict: false,
    meaning:
      "Docker Compose v1 prints this line for EVERY 'driver failed programming external connectivity' error, including a plain host process holding the port. Do not trust it: read the daemon's error on the 'ERROR: for …' line.",
    next: ['look for the "ERROR: for SERVICE" line in the same output', DIAG],
  },
  {
    id: 'wrapper-only',
    stage: 'other',
    re: /driver failed programming external connectivity|failed to set up container networking|Error response from daemon/i,
    conflict: false,
    meaning:
      "Only the engine's wrapper text was given; the cause is in the part after the endpoint id. Paste the whole message.",
    next: ['docker start CONTAINER (to see the full error again)', DIAG],
  },
];

/** Wording markers → which engine and era wrote the message. All that match are reported. */
export interface EngineMarker {
  readonly re: RegExp;
  readonly label: string;
  readonly product: 'docker' | 'podman' | 'docker-desktop' | 'compose' | 'rootless-docker' | 'app';
}

export const ENGINE_MARKERS: readonly EngineMarker[] = [
  {
    re: /failed to bind host port \[?[\d.:a-f]+\]?:\d+\/\w+/i,
    label: 'Docker Engine 29.x (OSAllocator wording)',
    product: 'docker',
  },
  { re: /failed to bind host port (?:\d+ )?for /i, label: 'Docker Engine 28.x', product: 'docker' },
  {
    re: /failed to set up container networking/i,
    label: 'Docker Engine >= 28.0.1 (networking-setup prefix)',
    product: 'docker',
  },
  {
    re: /failed to bind port [\d.:[\]a-f]+:\d+\/\w+: Error starting userland proxy/i,
    label: 'Docker Engine 27.x',
    product: 'docker',
  },
  {
    re: /Error starting userland proxy: listen (?:tcp|udp)[46] /,
    label: 'Docker Engine 20.10.2 - 27.x (docker-proxy binds, tcp4/tcp6 network names)',
    product: 'docker',
  },
  {
    re: /Error starting userland proxy: listen (?:tcp|udp) /,
    label: 'Docker Engine < 20.10.2 (docker-proxy binds, plain tcp network)',
    product: 'docker',
  },
  {
    re: /error starting userland proxy/,
    label: 'Docker Engine 28.x - 29.x (lower-case proxy wording)',
    product: 'docker',
  },
  { re: /Failed to allocate and map port/i, label: 'dockerd log line', product: 'docker' },
  { re: /RootlessKit PortManager/i, label: 'rootless Docker 28.x - 29.x (rlkclient)', product: 'rootless-docker' },
  {
    re: /error while calling PortManager\.AddPort/i,
    label: 'rootless Docker 19.03 - 27.x (rootlesskit-docker-proxy)',
    product: 'rootless-docker',
  },
  {
    re: /cannot listen on the (?:TCP|UDP) port/i,
    label: 'Podman rootful (conmon holds published ports)',
    product: 'podman',
  },
  { re: /cannot bind \S+ port/i, label: 'Podman 6 (dual-stack port reservation)', product: 'podman' },
  { re: /rootlessport/i, label: 'Podman rootless (rootlessport forwarder)', product: 'podman' },
  { re: /pasta failed|for option '-[tu] /i, label: 'Podman 5.x rootless (pasta)', product: 'podman' },
  {
    re: /slirp4netns while setting up port redirection/i,
    label: 'Podman rootless (slirp4netns port handler)',
    product: 'podman',
  },
  {
    re: /something went wrong with the request: "(?:proxy already running|listen )/i,
    label: 'podman machine (gvproxy)',
    product: 'podman',
  },
  {
    re: /[Pp]orts are not available: exposing port/,
    label: 'Docker Desktop (2022+, com.docker.backend)',
    product: 'docker-desktop',
  },
  { re: /[Pp]orts are not available: listen/, label: 'Docker Desktop (2020-2021)', product: 'docker-desktop' },
  {
    re: /unexpected error|Failed to bind: EADDRINUSE|Bind for %a/,
    label: 'Docker for Mac/Windows, vpnkit era (2016-2021)',
    product: 'docker-desktop',
  },
  {
    re: /^ERROR: (?:for \S{1,200} {1,20})?(?:Cannot start service|driver failed)/m,
    label: 'Docker Compose v1 (docker-compose)',
    product: 'compose',
  },
  {
    re: /Host is already in use by another container/i,
    label: 'Docker Compose v1 (docker-compose)',
    product: 'compose',
  },
  { re: /Error response from daemon/i, label: 'docker CLI / Compose v2 / Go SDK', product: 'docker' },
  { re: /\[emerg\]|bind\(\) to/, label: 'application inside the container (nginx)', product: 'app' },
];
