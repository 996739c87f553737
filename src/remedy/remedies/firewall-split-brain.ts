// firewall-split-brain: as an orphan, plus (WSL2 only) putting Docker and the user on one backend.
import type { Plan } from '../../model.js';
import { deleteRulePlan, holderOf, restartDockerd } from './common.js';
import type { Remedy } from './types.js';

export const firewallSplitBrain: Remedy = {
  plans(f, ctx) {
    const { snap, live } = ctx;
    const h = holderOf(f, 'rule');
    if (!h) return [];
    const plans: Plan[] = [];
    const del = deleteRulePlan(f, h, snap, ctx.diagnosis.subject.port);
    if (del) plans.push(del);
    // the switch to legacy only where the kernel can run legacy (docker/for-linux#1437)
    if (snap.host.ok && snap.host.value.wsl === 2 && snap.host.value.legacySupported !== false) {
      plans.push({
        remedy: 'wsl-switch-to-legacy',
        safety: 'suggest',
        title: 'WSL2 split brain: make Docker and you use the same iptables backend',
        disrupts: live.map((c) => `container ${c.name}`),
        warnings: [
          snap.host.value.legacyTables.ip.length
            ? 'this kernel has legacy x_tables registered, so the legacy backend works here'
            : 'this kernel shows no legacy x_tables: check `iptables-legacy -L` works before switching (docker/for-linux#1437)',
        ],
        preconditions: [],
        steps: [
          {
            argv: ['update-alternatives', '--set', 'iptables', '/usr/sbin/iptables-legacy'],
            why: 'one iptables backend for Docker and the user (microsoft/WSL#7705)',
          },
          {
            argv: ['update-alternatives', '--set', 'ip6tables', '/usr/sbin/ip6tables-legacy'],
            why: 'same for IPv6',
          },
          { argv: ['systemctl', 'restart', 'docker'], why: 'dockerd re-programs its rules with the new backend' },
        ],
        rule: f.rule,
      });
    }
    plans.push(restartDockerd(f, ctx));
    return plans;
  },
};
