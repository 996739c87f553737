// orphan-dnat: delete the rule (a `fix`: re-proved orphan before it runs), or let dockerd rebuild.
import { deleteRulePlan, holderOf, restartDockerd } from './common.js';
import type { Remedy } from './types.js';

export const orphanDnat: Remedy = {
  plans(f, ctx) {
    const h = holderOf(f, 'rule');
    if (!h) return [];
    const del = deleteRulePlan(f, h, ctx.snap, ctx.diagnosis.subject.port);
    return [...(del ? [del] : []), restartDockerd(f, ctx)];
  },
};
