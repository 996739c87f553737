// host-process: stop the process (its systemd unit when it has one), or publish elsewhere.
import { holderOf, moveAside } from './common.js';
import type { Remedy } from './types.js';

export const hostProcess: Remedy = {
  plans(f, ctx) {
    const h = holderOf(f, 'process');
    if (!h) return [];
    return [
      {
        remedy: 'stop-host-process',
        safety: 'suggest',
        title: h.unit ? `Stop ${h.unit} (holds the port as ${h.comm}, pid ${h.pid})` : `Stop ${h.comm} (pid ${h.pid})`,
        disrupts: [`${h.unit ?? h.comm} (pid ${h.pid})`],
        warnings: ['a host process is never stopped unattended: check what it is first'],
        preconditions: [
          {
            kind: 'process-is',
            pid: h.pid,
            comm: h.comm,
            notChildOfDockerd: false,
            holdsPort: ctx.diagnosis.subject.port,
          },
        ],
        steps: [
          h.unit
            ? {
                argv: ['systemctl', 'stop', h.unit],
                why: 'stops the service cleanly (disable it too if it should not come back)',
              }
            : {
                argv: ['kill', '-TERM', String(h.pid)],
                why: `pid ${h.pid} holds the port and belongs to no systemd unit`,
              },
        ],
        rule: f.rule,
      },
      ...moveAside(f, ctx),
    ];
  },
};
