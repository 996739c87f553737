// Rootless Docker and Podman: the published port is held in the real host namespace by a port
// forwarder — rootlesskit (builtin driver), slirp4netns, pasta, Podman's rootlessport, or conmon
// (rootful Podman) — not by docker-proxy. The container behind it is the holder.
import { containerHolder, describeOwner, displayBind, processHolder, sockBind } from './holders.js';
import { ownersOfKind } from '../snapshot/index.js';
import { defineRule, type FindingDraft } from './types.js';

const WHAT: Record<string, string> = {
  rootlesskit: "rootless Docker's RootlessKit (builtin port driver)",
  slirp4netns: 'the slirp4netns port driver (rootless Docker or Podman)',
  pasta: 'pasta (rootless Podman 5 / Docker with the implicit port driver)',
  'pasta.avx2': 'pasta (rootless Podman 5 / Docker with the implicit port driver)',
  rootlessport: "rootless Podman's rootlessport forwarder",
  conmon: "Podman's conmon (rootful Podman keeps published ports open in it)",
};

export const portHeldByForwarder = defineRule({
  meta: {
    id: 'port-held-by-forwarder',
    cause: 'container',
    description: 'A rootless or Podman port forwarder holds the port for a container.',
    requires: ['sockets', 'processes'],
  },
  check({ index }) {
    const out: FindingDraft[] = [];
    for (const { c, o } of ownersOfKind(index, 'forwarder')) {
      const who = o.container
        ? `container ${o.container.name} [${o.container.id.slice(0, 12)}]`
        : `a container of another engine or user (uid ${o.proc.uid ?? '?'}; its API is not the one portdoctor reads)`;
      out.push({
        cause: 'container',
        severity: 'error',
        confidence: o.container ? (c.overlap === 'yes' ? 'certain' : 'likely') : 'likely',
        message: `${describeOwner(o)}, ${WHAT[o.proc.comm] ?? 'a port forwarder'}, holds ${displayBind(c.socket)} for ${who}; the bind of ${displayBind(c.requested)} is refused.`,
        holders: [
          o.container
            ? containerHolder(o.container, sockBind(c.socket), o.proc)
            : processHolder(o.proc, sockBind(c.socket)),
        ],
        evidence: [
          { fact: 'sockets', says: `${c.socket.state} ${displayBind(c.socket)}` },
          {
            fact: 'processes',
            says: `pid ${o.proc.pid} ${o.proc.comm} (uid ${o.proc.uid ?? '?'}): ${o.proc.argv.join(' ')}`,
          },
        ],
        data: {
          pid: o.proc.pid,
          comm: o.proc.comm,
          containerId: o.container?.id ?? o.proc.containerId,
          containerName: o.container?.name ?? null,
          stage: 'rootless-port-driver',
        },
      });
    }
    return out;
  },
});
