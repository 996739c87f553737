// stale-allocation: restart the owning container (its proxy is re-created), or publish elsewhere.
import { holderOf, moveAside } from './common.js';
import type { Remedy } from './types.js';

export const staleAllocation: Remedy = {
  plans(f, ctx) {
    const h = holderOf(f, 'container');
    if (!h) return [];
    const { composeProject: project, composeService: service } = h;
    return [
      {
        remedy: 'restart-owning-container',
        safety: 'suggest',
        title: `Restart ${h.name}: its docker-proxy is gone, a restart re-creates it (or removes the allocation if you remove it)`,
        disrupts: [`container ${h.name}`],
        warnings: f.data.hostProcessNow
          ? ['a host process took the port meanwhile: the restart will fail until it is stopped']
          : [],
        preconditions: [{ kind: 'container-state', id: h.id, states: ['running'] }],
        steps: [
          {
            argv:
              project && service
                ? ['docker', 'compose', '-p', project, 'restart', service]
                : ['docker', 'restart', h.id],
            why: 'releases and re-creates the mapping and its proxy',
          },
        ],
        rule: f.rule,
      },
      ...moveAside(f, ctx),
    ];
  },
};
