// Docker 28 and later: dockerd creates and binds the host socket itself and hands it to docker-proxy
// (-use-listen-fd), or keeps it with userland-proxy=false. Read in moby:
// - v28.0.0..v28.5.2 libnetwork/drivers/bridge/port_mapping_linux.go bindTCPOrUDP: SO_REUSEADDR on
//   TCP *and* UDP, IPV6_V6ONLY on AF_INET6, IP_PKTINFO on UDP; bind, listen only after the firewall
//   rules are in (tcpListenBoundPorts).
// - v28.3.0 (commit d6620915db "portallocator: always check for ports allocated for 0.0.0.0/::"):
//   the allocator also refuses 127.0.0.1:P while 0.0.0.0:P is mapped ("port is already allocated").
// - docker-v29.0.0 daemon/libnetwork/portallocator/osallocator_linux.go bindTCPOrUDP: SO_REUSEADDR
//   on TCP only (commit c6be4ad999 "libnet/pa: don't set SO_REUSEADDR on UDP sockets"), and bind is
//   followed at once by listen (commit 201968cc03 "listen after bind").
import type { Binder, EngineSemantics, KnownBad } from './types.js';

const REUSE_BOTH = { tcp: { reuseAddr: true, v6only: true }, udp: { reuseAddr: true, v6only: true } } as const;
const REUSE_TCP = { tcp: { reuseAddr: true, v6only: true }, udp: { reuseAddr: false, v6only: true } } as const;

const dockerd28 = (listens: boolean, holder: string): Binder => ({
  holder,
  bindsIt: 'dockerd',
  netns: 'host',
  opts: REUSE_BOTH,
  listens,
  source: 'moby v28.5.2 libnetwork/drivers/bridge/port_mapping_linux.go bindTCPOrUDP',
});
const dockerd29 = (holder: string): Binder => ({
  holder,
  bindsIt: 'dockerd',
  netns: 'host',
  opts: REUSE_TCP,
  listens: true,
  source: 'moby docker-v29.0.0 daemon/libnetwork/portallocator/osallocator_linux.go bindTCPOrUDP',
});

/** moby#51591: rootless 29.0.0-29.1.1 with the slirp4netns port driver binds 10.0.2.100:P twice */
export const ROOTLESS_SLIRP_29: KnownBad = {
  first: '29.0.0',
  last: '29.1.1',
  fixed: '29.1.2',
  portDriver: 'slirp4netns',
  issue: 'moby/moby#51591',
  fix: 'moby/moby#51616',
  what: 'every publish fails with "failed to bind host port 10.0.2.100:P/tcp: address already in use", whoever holds the port',
};

const W28 = {
  allocated: 'Bind for %s:%d failed: port is already allocated',
  inUse: 'failed to bind host port for %s: address already in use',
  listen: 'failed to listen on TCP socket: address already in use',
};
const UDP_CO_BIND =
  'UDP carries SO_REUSEADDR too: a UDP socket that also set it (systemd-resolved on 127.0.0.53:53) does not refuse the publish; one without it does. Only the kernel can tell, so the bind probe asks it (fixed in 29.0.0, moby#50669)';

export const DOCKER_MODERN: readonly EngineSemantics[] = [
  {
    id: 'docker-28.0',
    family: 'docker-28+',
    label: 'Docker 28.0-28.2 (dockerd binds, allocator keys on the exact IP)',
    product: 'docker',
    from: '28.0.0',
    to: '28.2.99',
    defaultHostIps: ['0.0.0.0', '::'],
    binder: dockerd28(true, 'docker-proxy'),
    binderNoProxy: dockerd28(true, 'dockerd'),
    childBinder: null,
    allocator: 'exact-ip',
    wording: W28,
    bindStage: 'host-bind',
    knownBad: [],
    notes: [UDP_CO_BIND],
  },
  {
    id: 'docker-28.3',
    family: 'docker-28+',
    label: 'Docker 28.3-28.5 (dockerd binds, allocator also checks the wildcard)',
    product: 'docker',
    from: '28.3.0',
    to: '28.99.99',
    defaultHostIps: ['0.0.0.0', '::'],
    binder: dockerd28(true, 'docker-proxy'),
    binderNoProxy: dockerd28(true, 'dockerd'),
    childBinder: null,
    allocator: 'ip-or-family-wildcard',
    wording: W28,
    bindStage: 'host-bind',
    knownBad: [],
    notes: [
      UDP_CO_BIND,
      '127.0.0.1:P next to a container on 0.0.0.0:P is refused by the allocator ("Bind for 127.0.0.1:P failed: port is already allocated"), not by the kernel',
    ],
  },
  {
    id: 'docker-29',
    family: 'docker-28+',
    label: 'Docker 29.x (dockerd binds and listens, SO_REUSEADDR on TCP only)',
    product: 'docker',
    from: '29.0.0',
    to: null,
    defaultHostIps: ['0.0.0.0', '::'],
    binder: dockerd29('docker-proxy'),
    binderNoProxy: dockerd29('dockerd'),
    childBinder: null,
    allocator: 'ip-or-family-wildcard',
    wording: {
      allocated: 'Bind for %s:%d failed: port is already allocated',
      inUse: 'failed to bind host port %s/%s: address already in use',
      listen: 'failed to listen on tcp socket: address already in use',
    },
    bindStage: 'host-bind',
    knownBad: [ROOTLESS_SLIRP_29],
    notes: ['UDP has no SO_REUSEADDR again (moby#50669): any bound UDP socket on an overlapping address refuses it'],
  },
];
