// stale-docker-proxy: stop the proxy (a `fix` only when its executable is proven an engine's docker-proxy
// and dockerd is not its parent: then restarting is cleaner).
import { displayAddr } from '../../util/ip.js';
import { holderOf } from './common.js';
import type { Remedy } from './types.js';

export const staleDockerProxy: Remedy = {
  plans(f, { diagnosis: d }) {
    const h = holderOf(f, 'docker-proxy');
    if (!h) return [];
    // only a proxy whose executable is proven to be an engine's is ever stopped unattended
    const proven = f.data.proven === true && typeof f.data.exe === 'string';
    return [
      {
        remedy: 'stop-stale-proxy',
        safety: f.data.parentIsDockerd === true || !proven ? 'suggest' : 'fix',
        title: `Stop the stale docker-proxy (pid ${h.pid})`,
        disrupts: [],
        warnings: [
          ...(f.data.parentIsDockerd === true
            ? ['its parent is dockerd: restarting the daemon is the cleaner way']
            : []),
          ...(proven ? [] : ["its executable is not proven to be an engine's docker-proxy: check what it is first"]),
        ],
        preconditions: [
          {
            kind: 'process-is',
            pid: h.pid,
            comm: 'docker-proxy',
            notChildOfDockerd: true,
            holdsPort: d.subject.port,
            ...(proven ? { exe: f.data.exe as string } : {}),
          },
          { kind: 'ip-not-live', ip: h.containerIp },
        ],
        steps: [
          {
            argv: ['kill', '-TERM', String(h.pid)],
            why: `it holds ${displayAddr(h.bind.ip, h.bind.port)} and forwards to ${h.containerIp}, which no container has`,
          },
        ],
        rule: f.rule,
      },
    ];
  },
};
