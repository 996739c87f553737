// unknown: nothing is known well enough to change. One exception with plans: a DNAT whose owner
// nothing names (dnat-owner-unknown) gets the same suggestions as another manager's rule.
import { foreignRulePlans } from './foreign-dnat.js';
import type { Remedy } from './types.js';

export const unknown: Remedy = {
  plans: (f, ctx) => (f.rule === 'dnat-owner-unknown' ? foreignRulePlans(f, ctx) : []),
};
