// container: stop the container that holds the port (or recreate its compose service), or publish
// elsewhere; an idle container that would re-claim the port on start is removed instead.
import type { Finding, Plan } from '../../model.js';
import type { RuleId } from '../../rules/index.js';
import { composeStop, type HolderOf, holderOf, moveAside } from './common.js';
import type { Remedy, RemedyContext } from './types.js';

/** This rule reports a container that holds nothing now; it gets its own plan, even at severity info. */
export const IDLE_CONTAINER_RULE: RuleId = 'stopped-container-claims-port';

function removeIdle(f: Finding, h: HolderOf<'container'>): Plan {
  return {
    remedy: 'remove-idle-container',
    safety: 'suggest',
    title: `Remove (or stop auto-starting) ${h.state} container ${h.name}, which would re-claim the port on start`,
    disrupts: [`container ${h.name} (${h.state})`],
    warnings: [],
    preconditions: [{ kind: 'container-state', id: h.id, states: [h.state] }],
    steps: [
      { argv: ['docker', 'update', '--restart=no', h.id], why: 'keeps it from starting by itself' },
      { argv: ['docker', 'rm', h.id], why: 'it holds nothing now, but `docker start` would claim the port' },
    ],
    rule: f.rule,
  };
}

/** The plans for a running container that holds the port (published, or on the host network). */
export function holdingContainerPlans(f: Finding, ctx: RemedyContext, hostNetwork: boolean): Plan[] {
  const h = holderOf(f, 'container');
  if (!h) return [];
  const cs = composeStop(h);
  const plans: Plan[] = [
    {
      remedy: 'stop-holding-container',
      safety: 'suggest',
      title: `Stop ${hostNetwork ? 'host-network ' : ''}container ${h.name}${cs ? ` (compose service ${h.composeService})` : ''}, which holds the port`,
      disrupts: [`container ${h.name}`],
      warnings: [],
      preconditions: [{ kind: 'container-state', id: h.id, states: ['running', 'paused'] }],
      steps: [
        {
          argv: cs ?? ['docker', 'stop', h.id],
          why: 'frees the mapping; it comes back on the next start unless its ports are changed',
        },
      ],
      rule: f.rule,
    },
  ];
  if (cs && h.composeProject && h.composeService) {
    // (cs is set exactly when both are: the check narrows them for the argv)
    plans.push({
      remedy: 'recreate-compose-service',
      safety: 'suggest',
      title: `After changing ${h.composeService}'s ports in the compose file, recreate it`,
      disrupts: [`compose service ${h.composeService}`],
      warnings: [],
      preconditions: [],
      steps: [
        {
          argv: ['docker', 'compose', '-p', h.composeProject, 'up', '-d', '--force-recreate', h.composeService],
          why: 'applies the corrected mapping',
        },
      ],
      rule: f.rule,
    });
  }
  plans.push(...moveAside(f, ctx));
  return plans;
}

export const container: Remedy = {
  plans(f, ctx) {
    const h = holderOf(f, 'container');
    if (!h) return [];
    if (f.rule === IDLE_CONTAINER_RULE) return [removeIdle(f, h)];
    return holdingContainerPlans(f, ctx, false);
  },
};
