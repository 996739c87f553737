// Rootless Docker: dockerd (and docker-proxy) bind inside RootlessKit's child network namespace on
// the child IP; the host-side socket, the one host processes collide with, belongs to RootlessKit's
// port driver. Holders as seen in host `ss` (rootlesskit docs/port.md; captures in the repo's tests):
// builtin → rootlesskit (parent; Go net.Listen / net.ListenUDP in pkg/port/builtin/parent), slirp4netns
// → slirp4netns (libslirp hostfwd: tcp_listen sets SO_REUSEADDR before bind, udp_listen only after
// it), implicit → pasta (options not read: not imitated, so not probed).
import type { Binder, EngineSemantics } from './types.js';

export interface PortDriver {
  readonly driver: string;
  readonly binder: Binder;
}

export const PORT_DRIVERS: readonly PortDriver[] = [
  {
    driver: 'builtin',
    binder: {
      holder: 'rootlesskit',
      bindsIt: 'rootlesskit',
      netns: 'host',
      opts: { tcp: { reuseAddr: true, v6only: true }, udp: { reuseAddr: false, v6only: true } },
      listens: true,
      source: 'rootlesskit pkg/port/builtin/parent/{tcp,udp}: Go net.Listen / net.ListenUDP (Go defaults)',
    },
  },
  {
    driver: 'slirp4netns',
    binder: {
      holder: 'slirp4netns',
      bindsIt: 'slirp4netns',
      netns: 'host',
      opts: { tcp: { reuseAddr: true, v6only: true }, udp: { reuseAddr: false, v6only: true } },
      listens: true,
      source: 'libslirp tcp_listen (fast reuse before bind) / udp_listen (after bind), via slirp4netns add_hostfwd',
    },
  },
  {
    driver: 'implicit',
    binder: {
      holder: 'pasta',
      bindsIt: 'pasta',
      netns: 'host',
      opts: null,
      listens: true,
      source: 'passt/pasta binds the host side itself; its socket options were not read, so it is not imitated',
    },
  },
];

/** The engine's semantics with the host-side binder swapped for the port driver's. */
export function rootlessVariant(base: EngineSemantics, portDriver: string | null): EngineSemantics {
  const d = PORT_DRIVERS.find((x) => x.driver === (portDriver ?? 'builtin'));
  const child: Binder = { ...base.binder, netns: 'child' };
  const unknown: Binder = {
    holder: portDriver ?? 'RootlessKit port driver',
    bindsIt: portDriver ?? 'RootlessKit port driver',
    netns: 'host',
    opts: null,
    listens: true,
    source: `port driver ${portDriver ?? 'unknown'} is not in the table`,
  };
  return {
    ...base,
    id: `${base.id}-rootless-${portDriver ?? 'unknown'}`,
    family: 'rootless',
    label: `${base.label}, rootless (port driver ${portDriver ?? 'unknown'})`,
    binder: d?.binder ?? unknown,
    binderNoProxy: d?.binder ?? unknown,
    childBinder: child,
    bindStage: 'rootless-port-driver',
    // the child namespace has no 127.0.0.53 stub or host daemons: only the driver's host bind meets them
    notes: [
      ...base.notes.filter((n) => !n.startsWith('UDP')),
      `host side bound by ${d?.binder.holder ?? 'an unknown port driver'}`,
    ],
  };
}
