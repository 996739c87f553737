// foreign-dnat: the rule serves another manager's workload. Never deleted unattended: ask its owner
// (its own tool removes or changes it), delete it by hand only if it is known to be stale, or move aside.
import type { Finding, Plan, Step } from '../../model.js';
import { deleteRulePlan, holderOf, iptablesBin, moveAside, type HolderOf } from './common.js';
import type { Remedy, RemedyContext } from './types.js';

function askOwner(f: Finding, h: HolderOf<'rule'>): Plan {
  const o = h.owner;
  const who = o?.containerName ?? o?.containerId?.slice(0, 12) ?? null;
  const bin = iptablesBin(h.family, h.backend);
  const look: Step = {
    argv:
      h.backend === 'nft'
        ? ['nft', '-a', 'list', 'chain', h.family, h.table, h.chain]
        : [bin, '-w', '-t', h.table, '-S', h.chain],
    why: 'see the rule and its neighbours',
  };
  const own: Partial<Record<string, Step>> = {
    podman: who
      ? { argv: ['podman', 'stop', who], why: 'Podman removes the rules of its container when it stops it' }
      : { argv: ['podman', 'ps', '-a'], why: 'find the Podman container the rule forwards to' },
    libvirt: {
      argv: ['virsh', 'net-list', '--all'],
      why: "the VM's network owns this forward: change it where it was configured",
    },
    'kube-proxy': {
      argv: ['kubectl', 'get', 'services', '--all-namespaces', '-o', 'wide'],
      why: 'kube-proxy re-creates its rules from Services: change the Service, not the rule',
    },
    firewalld: {
      argv: ['firewall-cmd', '--list-all-zones'],
      why: 'firewalld owns this forward: remove it with firewall-cmd',
    },
  };
  const step = own[o?.kind ?? ''];
  return {
    remedy: 'ask-rule-owner',
    safety: 'suggest',
    title: `Leave the rule to its owner (${o?.kind ?? 'unknown'}${who ? ` ${who}` : o?.iface ? ` via ${o.iface}` : ''}); change it there if the port should be Docker's`,
    disrupts: [o?.kind === 'podman' && who ? `Podman container ${who}` : `whatever answers on ${h.toIp}`],
    warnings: [
      "portdoctor never deletes another manager's rule unattended: it may serve a live workload (a VM, a pod, a VPN peer)",
    ],
    preconditions: [],
    steps: step ? [step, look] : [look],
    rule: f.rule,
  };
}

/** Shared by foreign-dnat and the unknown owner of dnat-owner-unknown: suggestions only. */
export function foreignRulePlans(f: Finding, ctx: RemedyContext): Plan[] {
  const h = holderOf(f, 'rule');
  if (!h) return [];
  const del = deleteRulePlan(f, h, ctx.snap, ctx.diagnosis.subject.port);
  return [
    askOwner(f, h),
    ...(del
      ? [
          {
            ...del,
            remedy: 'delete-foreign-dnat',
            safety: 'suggest' as const,
            title: `By hand, only if you know it is stale: ${del.title.replace('the orphan DNAT rule', 'the rule')}`,
            steps: del.steps.map((st) => ({
              ...st,
              why: `only if nothing should answer on ${h.toIp} any more (${h.owner?.why ?? 'its owner is not known'})`,
            })),
          },
        ]
      : []),
    ...moveAside(f, ctx),
  ];
}

export const foreignDnat: Remedy = { plans: foreignRulePlans };
