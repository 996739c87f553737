// Lab: stale-proxy. A docker-proxy that dockerd did not start (its parent is not dockerd) and
// whose -container-ip belongs to no container: it holds the port for nothing. On 20.10 a daemon
// crash does not leave one (Pdeathsig), so such a proxy was started some other way. Only a process
// whose executable is an engine's docker-proxy counts (src/owners/process-owner.ts); an unproven one
// is at most `possible` and gets no unattended kill.
import { isStaleProxy } from '../owners/socket-owner.js';
import { displayBind, sockBind } from './holders.js';
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

export const staleDockerProxy = defineRule({
  meta: {
    id: 'stale-docker-proxy',
    cause: 'stale-docker-proxy',
    description: 'A docker-proxy not owned by a running dockerd (or forwarding to no container) holds the port.',
    requires: ['sockets', 'processes', 'containers'],
    messages: HOST_RULE_MESSAGES['stale-docker-proxy'],
  },
  check({ index }) {
    const out: FindingDraft[] = [];
    const seen = new Set<number>();
    for (const c of index.conflicts) {
      for (const o of c.owners) {
        // a live container's own proxy is not stale (the port map judges it the same way)
        if (!isStaleProxy(o) || seen.has(o.proc.pid)) continue;
        seen.add(o.proc.pid);
        const parent = index.procByPid.get(o.proc.ppid);
        const target = o.args ? `${o.args.containerIp}:${o.args.containerPort}` : '?';
        const parentText = parent ? `${parent.comm} (pid ${parent.pid})` : `pid ${o.proc.ppid}`;
        out.push({
          severity: 'error',
          confidence: !o.proven ? 'possible' : !o.parentIsDockerd && !o.container ? 'certain' : 'likely',
          messageId: o.parentIsDockerd ? 'childOfDockerd' : 'notDockerdsChild',
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
            { fact: o.proven ? 'engineBinaries' : 'processes', says: o.proof },
            {
              fact: 'containers',
              says: o.container
                ? `${target} is ${o.container.name}`
                : `no running container has IP ${o.args?.containerIp ?? '?'}`,
            },
          ],
          data: {
            held: displayBind(c.socket),
            target,
            parent: parentText,
            container: o.container?.name ?? null,
            pid: o.proc.pid,
            ppid: o.proc.ppid,
            containerIp: o.args?.containerIp ?? null,
            parentIsDockerd: o.parentIsDockerd,
            proven: o.proven,
            unproven: !o.proven,
            exe: o.proc.exe ?? null,
            stage: 'userland-proxy',
          },
        });
      }
    }
    return out;
  },
});
