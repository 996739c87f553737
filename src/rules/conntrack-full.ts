// The conntrack table at (or near) nf_conntrack_max. Every new connection needs an entry;
// at the limit the kernel drops the first packet silently ("nf_conntrack: table full, dropping
// packet" in the kernel log), so a published port looks dead although every rule is right.
// nf_conntrack_max is global (only the initial namespace can set it); the count is per namespace.
import { HOST_RULE_MESSAGES } from './messages.js';
import { defineRule, type FindingDraft } from './types.js';

/** at or above this share of the limit, new connections start to be dropped under bursts */
export const CONNTRACK_NEAR = 0.9;

export const conntrackFull = defineRule({
  meta: {
    id: 'conntrack-full',
    cause: 'conntrack-full',
    description: 'The connection-tracking table is at or near nf_conntrack_max: new connections are dropped silently.',
    requires: ['host'],
    messages: HOST_RULE_MESSAGES['conntrack-full'],
  },
  check({ snap }) {
    if (!snap.host.ok) return [];
    const s = snap.host.value.sysctl;
    const count = Number(s['net.netfilter.nf_conntrack_count']);
    const max = Number(s['net.netfilter.nf_conntrack_max']);
    if (
      !Number.isFinite(count) ||
      !Number.isFinite(max) ||
      max <= 0 ||
      s['net.netfilter.nf_conntrack_max'] === undefined
    )
      return [];
    const ratio = count / max;
    if (ratio < CONNTRACK_NEAR) return [];
    const full = count >= max;
    const suggested = Math.max(max * 2, 262144);
    const out: FindingDraft<'full' | 'near'> = {
      severity: 'error',
      confidence: full ? 'certain' : 'likely',
      messageId: full ? 'full' : 'near',
      holders: [],
      evidence: [
        { fact: 'host', says: `/proc/sys/net/netfilter/nf_conntrack_count = ${count}` },
        { fact: 'host', says: `/proc/sys/net/netfilter/nf_conntrack_max = ${max}` },
      ],
      data: {
        count,
        max,
        percent: Math.round(ratio * 100),
        ratio: Math.round(ratio * 1000) / 1000,
        suggestedMax: suggested,
      },
    };
    return [out];
  },
});
