// What to do about each verdict cause, for the pages in docs/causes/ and docs/rules/ (npm run gen:docs).
// Checked by the compiler: a cause added to src/model.ts fails to compile until it has its help here.
// The plans themselves are data in src/remedy/remedies/; this says in words what they do.
import type { Cause } from '../model.js';

export interface CauseHelp {
  /** what to look at to confirm it by hand */
  readonly check: readonly string[];
  /** what to do, in the order portdoctor's plans offer it */
  readonly fix: string;
}

export const CAUSE_HELP = {
  'host-process': {
    check: ['ss -ltnup "sport = :PORT"', 'systemctl status UNIT (when the process runs in a unit)'],
    fix: 'Stop or reconfigure the process (its unit is named when it has one), or publish on another host port or a host IP it does not hold. portdoctor never stops a host process itself: these are suggestions.',
  },
  'resolved-stub': {
    check: ['ss -lunp "sport = :53"', 'resolvectl status'],
    fix: "Publish 53 on a specific host IP (not 127.0.0.53), or turn the stub off (`DNSStubListener=no` in /etc/systemd/resolved.conf, then restart systemd-resolved). Both are suggestions: resolved is the host's DNS.",
  },
  container: {
    check: ['docker ps -a --filter publish=PORT', 'docker port CONTAINER'],
    fix: 'Stop or re-publish the container that holds it, or publish the new one on another host port (portdoctor names the nearest free one and, for compose, the edit). A live container is never stopped unattended.',
  },
  'host-network-container': {
    check: ['docker ps --filter network=host', 'ss -ltnup "sport = :PORT"'],
    fix: 'Reconfigure the process in the host-network container to listen elsewhere, stop that container, or publish on another host port. Suggestions only.',
  },
  'stale-docker-proxy': {
    check: ['ps -o pid,ppid,args -C docker-proxy', "docker ps (no container has the proxy's target IP)"],
    fix: "Stop the stale docker-proxy: `portdoctor fix PORT --apply` does it when /proc/PID/exe proves it is Docker's docker-proxy and no live container has its target (re-checked right before the step, journalled, undoable).",
  },
  'stale-allocation': {
    check: ['docker ps --filter publish=PORT', 'ss -ltnp "sport = :PORT" (nothing listens)'],
    fix: 'Restart the container that still holds the allocation (`docker restart NAME`), which frees and re-takes it properly; or restart dockerd when the container is gone. Suggestions: both disrupt a workload.',
  },
  'orphan-dnat': {
    check: ['iptables-save -t nat | grep -- "--dport PORT"', 'nft -a list ruleset | grep "dport PORT"'],
    fix: 'Delete the orphan rule by its full spec (iptables) or handle (nft): `portdoctor fix PORT --apply` does it when the rule is proven dead (its target in a Docker network with no container, or unroutable), re-checked before the step and undoable with `fix --undo`.',
  },
  'foreign-dnat': {
    check: ['iptables-save -t nat', 'ip route get TARGET_IP'],
    fix: "Ask the rule's owner (Podman, libvirt, kube-proxy, firewalld, a VPN) to move its forward, or publish on another host port. It is never deleted unattended: it belongs to another live workload.",
  },
  'firewall-split-brain': {
    check: ['iptables-legacy-save -t nat', 'iptables-nft-save -t nat'],
    fix: 'Remove the rule from the backend Docker does not use (after checking what wrote it), and make every tool on the host use one backend (update-alternatives --config iptables). portdoctor suggests the exact delete; it runs it only for a proven orphan.',
  },
  'rootless-regression': {
    check: ['docker version (rootless, 29.0.0 to 29.1.1)', 'ps -o args -C rootlesskit (--port-driver=slirp4netns)'],
    fix: 'Upgrade rootless Docker to 29.1.2 or later, or switch the port driver to builtin (DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=builtin).',
  },
  'docker-rules-missing': {
    check: ['iptables-save -t nat | grep DOCKER', 'nft list table ip nat'],
    fix: "Restart dockerd (or `docker network` reconnect) to have it write its rules again, and stop whatever flushed them (a firewall reload: firewalld's docker zone, an iptables-restore without --noflush). Suggestions: a restart disrupts every container.",
  },
  'firewall-drop': {
    check: ['iptables-save -t filter', 'nft list ruleset'],
    fix: "Allow the port in the firewall that drops it (for Docker, in the DOCKER-USER chain or the firewall's docker zone), or remove the rule. Suggestions: the firewall is the host's.",
  },
  'conntrack-full': {
    check: ['cat /proc/sys/net/netfilter/nf_conntrack_count /proc/sys/net/netfilter/nf_conntrack_max', 'conntrack -S'],
    fix: 'Raise net.netfilter.nf_conntrack_max (sysctl, and persist it in /etc/sysctl.d/) and find what fills the table (conntrack -L | sort by source).',
  },
  'port-free': {
    check: ['ss -ltnup "sport = :PORT"'],
    fix: 'Nothing to do: docker run -p would get the port. If it still fails, pass the error with --error; it may name another host IP or protocol.',
  },
  unknown: {
    check: ['portdoctor diagnose PORT --json (collectionErrors and inconclusive say what could not be read)'],
    fix: 'Run as root (or with the docker group and sudo for the firewall), so every fact can be read; the output lists what was missing. portdoctor says unknown rather than guess.',
  },
} as const satisfies Record<Cause, CauseHelp>;
