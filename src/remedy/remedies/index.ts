// The remedy registry: one entry per cause, checked by the compiler. A new cause in src/model.ts
// fails to compile until it is given a module here (or `{ none: why }` when no plan exists yet).
import type { Cause } from '../../model.js';
import { conntrackFull } from './conntrack-full.js';
import { container } from './container.js';
import { dockerRulesMissing } from './docker-rules-missing.js';
import { firewallDrop } from './firewall-drop.js';
import { firewallSplitBrain } from './firewall-split-brain.js';
import { foreignDnat } from './foreign-dnat.js';
import { hostNetworkContainer } from './host-network-container.js';
import { hostProcess } from './host-process.js';
import { orphanDnat } from './orphan-dnat.js';
import { resolvedStub } from './resolved-stub.js';
import { rootlessRegression } from './rootless-regression.js';
import { staleAllocation } from './stale-allocation.js';
import { staleDockerProxy } from './stale-docker-proxy.js';
import type { Remedy } from './types.js';
import { unknown } from './unknown.js';

export const REMEDIES = {
  'host-process': hostProcess,
  'resolved-stub': resolvedStub,
  container,
  'host-network-container': hostNetworkContainer,
  'stale-docker-proxy': staleDockerProxy,
  'stale-allocation': staleAllocation,
  'orphan-dnat': orphanDnat,
  'foreign-dnat': foreignDnat,
  'firewall-split-brain': firewallSplitBrain,
  'rootless-regression': rootlessRegression,
  'docker-rules-missing': dockerRulesMissing,
  'firewall-drop': firewallDrop,
  'conntrack-full': conntrackFull,
  'port-free': { none: 'nothing to fix' },
  unknown,
} as const satisfies Record<Cause, Remedy>;
