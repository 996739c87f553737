// conntrack-full: raise nf_conntrack_max (global: only the initial namespace sets it) and find what
// fills the table. A suggestion: the limit is the admin's choice.
import type { Finding, Plan } from '../../model.js';
import type { Remedy } from './types.js';

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

function plans(f: Finding): Plan[] {
  const max = str(f.data.suggestedMax);
  return [
    {
      remedy: 'raise-conntrack-max',
      safety: 'suggest',
      title: `Raise nf_conntrack_max to ${max} and find what fills the table`,
      disrupts: [],
      warnings: [
        'each entry costs about 300 bytes of kernel memory',
        'a table that keeps filling points at a flood or at very long timeouts (net.netfilter.nf_conntrack_tcp_timeout_established)',
        `to keep it across reboots, put net.netfilter.nf_conntrack_max=${max} in /etc/sysctl.d/90-conntrack.conf`,
      ],
      preconditions: [],
      steps: [
        { argv: ['conntrack', '-S'], why: 'per-CPU counters: drop and insert_failed grow while the table is full' },
        { argv: ['sysctl', '-w', `net.netfilter.nf_conntrack_max=${max}`], why: 'takes effect at once' },
      ],
      rule: f.rule,
    },
  ];
}

export const conntrackFull: Remedy = { plans };
