// Docker 20.10 through 27.x: the daemon's allocator, then docker-proxy binds and listens itself.
// Read in moby v20.10.24 vendor/github.com/docker/libnetwork/portmapper/{mapper,proxy}.go and in
// libnetwork 05b93e0d (the commit 20.10's hack/dockerfile/install/proxy.installer builds)
// cmd/proxy/{tcp,udp}_proxy.go: net.ListenTCP("tcp4"|"tcp6") / net.ListenUDP("udp4"|"udp6").
// Go sets SO_REUSEADDR on stream listeners only and IPV6_V6ONLY for tcp6/udp6. Confirmed on this
// machine with strace of Debian 12's /usr/sbin/docker-proxy (20.10.24): TCP setsockopt SO_REUSEADDR
// (plus IPV6_V6ONLY for [::]) then bind+listen; UDP only SO_BROADCAST (plus IPV6_V6ONLY) then bind.
import type { Binder, EngineSemantics } from './types.js';

const GO_OPTS = {
  tcp: { reuseAddr: true, v6only: true },
  udp: { reuseAddr: false, v6only: true },
} as const;

const proxy: Binder = {
  holder: 'docker-proxy',
  bindsIt: 'docker-proxy',
  netns: 'host',
  opts: GO_OPTS,
  listens: true,
  source:
    'libnetwork 05b93e0d cmd/proxy/tcp_proxy.go net.ListenTCP("tcp"+ipVersion), udp_proxy.go net.ListenUDP; strace of docker-proxy 20.10.24',
};

// userland-proxy=false: dockerd's dummyProxy still binds the port so nothing else takes it
const dummy: Binder = {
  holder: 'dockerd',
  bindsIt: 'dockerd',
  netns: 'host',
  opts: GO_OPTS,
  listens: true,
  source: 'moby v20.10.24 vendor/github.com/docker/libnetwork/portmapper/proxy.go dummyProxy.Start',
};

export const DOCKER_CLASSIC: readonly EngineSemantics[] = [
  {
    id: 'docker-20.10',
    family: 'docker-20.10-27',
    label: 'Docker 20.10-27.x (docker-proxy binds)',
    product: 'docker',
    from: null,
    to: '27.99.99',
    defaultHostIps: ['0.0.0.0', '::'],
    binder: proxy,
    binderNoProxy: dummy,
    childBinder: null,
    allocator: 'exact-ip',
    wording: {
      allocated: 'Bind for %s:%d failed: port is already allocated',
      inUse: 'Error starting userland proxy: listen %s %s: bind: address already in use',
      listen: null,
    },
    bindStage: 'userland-proxy',
    knownBad: [],
    notes: [
      'the allocator keys on the exact host IP (moby v20.10.24 portallocator ipMap[ip.String()]): -p 127.0.0.1:P next to a container on 0.0.0.0:P passes it and fails in the kernel',
      'UDP has no SO_REUSEADDR: any bound UDP socket on an overlapping address refuses the publish (systemd-resolved on 127.0.0.53:53 refuses -p 53:53/udp)',
    ],
  },
];
