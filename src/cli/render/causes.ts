// How each verdict cause is shown: a problem (red), not decided (yellow) or clear (green). One entry
// per cause, checked by the compiler.
import type { Cause } from '../../model.js';

export type Tone = 'problem' | 'undecided' | 'clear';

export const CAUSE_TONE = {
  'host-process': 'problem',
  'resolved-stub': 'problem',
  container: 'problem',
  'host-network-container': 'problem',
  'stale-docker-proxy': 'problem',
  'stale-allocation': 'problem',
  'orphan-dnat': 'problem',
  'foreign-dnat': 'problem',
  'firewall-split-brain': 'problem',
  'rootless-regression': 'problem',
  'docker-rules-missing': 'problem',
  'firewall-drop': 'problem',
  'conntrack-full': 'problem',
  'port-free': 'clear',
  unknown: 'undecided',
} as const satisfies Record<Cause, Tone>;
