// What each verdict cause means, for `--help`, generated docs and the README. One entry per cause,
// checked by the compiler: a cause added to src/model.ts fails to compile until it is described here.
import type { Cause } from '../model.js';

export interface CauseDoc {
  /** a few words, as a heading */
  readonly title: string;
  /** one or two sentences: what holds or takes the port, and what the user sees */
  readonly summary: string;
  /** does portdoctor have a rule that reports it yet? (false: reserved in the contract, not yet detected) */
  readonly detected: boolean;
}

export const CAUSE_DOCS = {
  'host-process': {
    title: 'A host process holds the port',
    summary:
      'A process of the host (not Docker, not in a container) holds an overlapping socket, so the bind of docker-proxy or dockerd fails with "address already in use".',
    detected: true,
  },
  'resolved-stub': {
    title: "systemd-resolved's DNS stub holds port 53",
    summary: 'The stub listener on 127.0.0.53 overlaps a wildcard publish of port 53; a specific host IP does not.',
    detected: true,
  },
  container: {
    title: 'Another container holds the port',
    summary:
      'A container (running, or one that would re-claim the port on start) publishes an overlapping host port: "port is already allocated", or "address already in use" when the host IPs differ.',
    detected: true,
  },
  'host-network-container': {
    title: 'A host-network container holds the port',
    summary: "A container on the host's network namespace listens on the port itself; Docker publishes nothing for it.",
    detected: true,
  },
  'stale-docker-proxy': {
    title: 'A stale docker-proxy holds the port',
    summary: 'A docker-proxy process outlived its container (a daemon crash or restart) and still holds the socket.',
    detected: true,
  },
  'stale-allocation': {
    title: "dockerd's allocator still holds the port",
    summary:
      "A running container's docker-proxy is gone, but dockerd still counts the port as allocated to it, with nothing listening.",
    detected: true,
  },
  'orphan-dnat': {
    title: 'An orphan DNAT rule takes the traffic',
    summary:
      'A DNAT rule for the port points at an address no live container has, and no manager owns it: docker run succeeds while outside traffic goes nowhere.',
    detected: true,
  },
  'foreign-dnat': {
    title: "Another manager's DNAT takes the traffic",
    summary:
      "A DNAT rule of another manager (Podman's CNI/netavark chains, libvirt, kube-proxy, firewalld), or one whose target is reached through a non-Docker interface (a VM bridge, a VPN, the default gateway), matches the port and takes its traffic; it is never deleted unattended.",
    detected: true,
  },
  'firewall-split-brain': {
    title: 'A rule in the other iptables backend takes the traffic',
    summary:
      "A DNAT rule in iptables-legacy while Docker writes nf_tables (or the reverse) can win by hook registration order, so Docker's rule is never reached.",
    detected: true,
  },
  'rootless-regression': {
    title: 'Rootless Docker 29.0.0 to 29.1.1 with slirp4netns',
    summary:
      'With the slirp4netns port driver every publish fails with "address already in use" on 10.0.2.100, whoever holds the port (moby#51591, fixed in 29.1.2).',
    detected: true,
  },
  'docker-rules-missing': {
    title: "Docker's firewall rules are missing",
    summary:
      "A container publishes the port but Docker's DNAT or its chains are gone (a firewall reload wiped them), so traffic never reaches it.",
    detected: true,
  },
  'firewall-drop': {
    title: 'A firewall rule drops the traffic',
    summary:
      'A filter rule on the path drops or rejects packets to the published port before they reach the container.',
    detected: true,
  },
  'conntrack-full': {
    title: 'The conntrack table is full',
    summary: 'The kernel drops new connections because its connection-tracking table is full.',
    detected: true,
  },
  'port-free': {
    title: 'The port is free',
    summary: 'No listener, no Docker allocation and no DNAT rule for it: docker run -p would get it.',
    detected: true,
  },
  unknown: {
    title: 'Could not decide',
    summary: 'Evidence is missing or contradicts itself; the output says what could not be read.',
    detected: true,
  },
} as const satisfies Record<Cause, CauseDoc>;
