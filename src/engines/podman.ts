// Podman 4 and 5 through their Docker-compatible API. Rootful: libpod binds each published port
// itself (Go net.Listen("tcp4") / net.ListenUDP, libpod oci_util.go bindPorts) and leaks the fds
// to conmon, which then holds them; there is no allocator beyond that bind. Rootless 4.x: the
// rootlessport helper (Go, RootlessKit's builtin driver) holds the host side; rootless 5.x: pasta.
import type { Binder, EngineSemantics } from './types.js';

const GO_OPTS = {
  tcp: { reuseAddr: true, v6only: true },
  udp: { reuseAddr: false, v6only: true },
} as const;

const conmon: Binder = {
  holder: 'conmon',
  bindsIt: 'podman',
  netns: 'host',
  opts: GO_OPTS,
  listens: true,
  source: 'containers/podman v4.3.1 libpod/oci_util.go bindPort (Go net.Listen / net.ListenUDP); unchanged in v5.x',
};

const wording = {
  allocated: null,
  inUse: 'cannot listen on the TCP port: listen tcp4 %s: bind: address already in use',
  listen: null,
};

export const PODMAN: readonly EngineSemantics[] = [
  {
    id: 'podman-4',
    family: 'podman',
    label: 'Podman 4.x',
    product: 'podman',
    from: '4.0.0',
    to: '4.99.99',
    // an empty host IP is bound as "tcp4 :P" (the error text says so): IPv4 only
    defaultHostIps: ['0.0.0.0'],
    binder: conmon,
    binderNoProxy: conmon,
    childBinder: null,
    allocator: 'none',
    wording,
    bindStage: 'host-bind',
    knownBad: [],
    notes: ['rootless 4.x: rootlessport holds the host side (Go defaults)'],
  },
  {
    id: 'podman-5',
    family: 'podman',
    label: 'Podman 5.x',
    product: 'podman',
    from: '5.0.0',
    to: null,
    defaultHostIps: ['0.0.0.0'],
    binder: conmon,
    binderNoProxy: conmon,
    childBinder: null,
    allocator: 'none',
    wording,
    bindStage: 'host-bind',
    knownBad: [],
    notes: ['rootless 5.x: pasta holds the host side ("Failed to bind port P (Address already in use)")'],
  },
];

export const PODMAN_ROOTLESSPORT: Binder = {
  holder: 'rootlessport',
  bindsIt: 'rootlessport',
  netns: 'host',
  opts: GO_OPTS,
  listens: true,
  source: 'containers/podman v4.3.1 pkg/rootlessport (RootlessKit builtin parent driver, Go defaults)',
};
