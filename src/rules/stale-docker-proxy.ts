// Lab: stale-proxy. A docker-proxy that dockerd did not start (its parent is not dockerd) and
// whose -container-ip belongs to no container: it holds the port for nothing. On 20.10 a daemon
// crash does not leave one (Pdeathsig), so such a proxy was started some other way.
import { displayBind, sockBind } from './holders.js';
import { defineRule, type FindingDraft } from './types.js';

export const staleDockerProxy = defineRule({
  meta: {
    id: 'stale-docker-proxy',
    cause: 'stale-docker-proxy',
    description: 'A docker-proxy not owned by a running dockerd (or forwarding to no container) holds the port.',
    requires: ['sockets', 'processes', 'containers'],
  },
  check({ index }) {
    const out: FindingDraft[] = [];
    const seen = new Set<number>();
    for (const c of index.conflicts) {
      for (const o of c.owners) {
        if (o.kind !== 'docker-proxy' || seen.has(o.proc.pid)) continue;
        if (o.parentIsDockerd && o.container) continue; // a live container's own proxy
        seen.add(o.proc.pid);
        const parent = index.procByPid.get(o.proc.ppid);
        const target = o.args ? `${o.args.containerIp}:${o.args.containerPort}` : '?';
        out.push({
          cause: 'stale-docker-proxy',
          severity: 'error',
          confidence: !o.parentIsDockerd && !o.container ? 'certain' : 'likely',
          message: o.parentIsDockerd
            ? `docker-proxy pid ${o.proc.pid} (a child of dockerd) holds ${displayBind(c.socket)} for ${target}, an IP no running container has.`
            : `A stale docker-proxy (pid ${o.proc.pid}) holds ${displayBind(c.socket)}: its parent is ${parent ? `${parent.comm} (pid ${parent.pid})` : `pid ${o.proc.ppid}`}, not dockerd, and it forwards to ${target}${o.container ? `, which is container ${o.container.name}` : ', which no container has'}.`,
          holders: [
            {
              kind: 'docker-proxy',
              pid: o.proc.pid,
              comm: o.proc.comm,
              ppid: o.proc.ppid,
              containerIp: o.args?.containerIp ?? '',
              bind: sockBind(c.socket),
            },
          ],
          evidence: [
            { fact: 'sockets', says: `${c.socket.state} ${displayBind(c.socket)} held by pid ${o.proc.pid}` },
            {
              fact: 'processes',
              says: `pid ${o.proc.pid} ppid ${o.proc.ppid}${parent ? ` (${parent.comm})` : ''}: ${o.proc.argv.join(' ')}`,
            },
            {
              fact: 'containers',
              says: o.container
                ? `${target} is ${o.container.name}`
                : `no running container has IP ${o.args?.containerIp ?? '?'}`,
            },
          ],
          data: {
            pid: o.proc.pid,
            ppid: o.proc.ppid,
            containerIp: o.args?.containerIp ?? null,
            parentIsDockerd: o.parentIsDockerd,
            stage: 'userland-proxy',
          },
        });
      }
    }
    return out;
  },
});
