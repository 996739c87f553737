// host-network-container: the same plans as a publishing container (its sockets are the host's).
import { holdingContainerPlans } from './container.js';
import type { Remedy } from './types.js';

export const hostNetworkContainer: Remedy = { plans: (f, ctx) => holdingContainerPlans(f, ctx, true) };
