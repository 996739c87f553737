// firewall-drop: the rule belongs to the host's admin (or a firewall manager): delete it by its exact
// spec or handle, or allow the published port in DOCKER-USER ahead of it. Suggestions only.
import type { Finding, Plan } from '../../model.js';
import { iptablesBin } from './common.js';
import type { Remedy } from './types.js';

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

function plans(f: Finding): Plan[] {
  const d = f.data;
  const fam = d.family === 'ip6' ? 'ip6' : 'ip';
  const spec = typeof d.spec === 'string' ? (JSON.parse(d.spec) as string[]) : null;
  const plans: Plan[] = [];
  if (d.policy !== true) {
    let argv: string[] | null = null;
    let undo: string[] | undefined;
    if (d.backend === 'nft' && d.handle !== null)
      argv = ['nft', 'delete', 'rule', fam, str(d.table), str(d.chain), 'handle', str(d.handle)];
    else if (spec) {
      const bin = iptablesBin(fam, d.backend);
      argv = [bin, '-w', '-t', str(d.table), '-D', str(d.chain), ...spec];
      undo = [bin, '-w', '-t', str(d.table), '-A', str(d.chain), ...spec];
    }
    if (argv)
      plans.push({
        remedy: 'delete-drop-rule',
        safety: 'suggest',
        title: `Delete the rule that ${str(d.verdict) === 'reject' ? 'rejects' : 'drops'} it, if it is not meant to apply to this port`,
        disrupts: ['whatever the rule protects: it was put there by someone (an admin, a firewall manager)'],
        warnings: [
          str(d.comment) ? `its comment: ${str(d.comment)}` : 'the rule carries no comment saying who added it',
        ],
        preconditions: [],
        steps: [{ argv, why: `remove ${str(d.rule)}`, ...(undo ? { undo } : {}) }],
        rule: f.rule,
      });
  }
  if (fam === 'ip' && d.backend !== 'nft') {
    const bin = iptablesBin('ip', d.backend);
    const accept = [
      '-d',
      `${str(d.containerIp)}/32`,
      '-p',
      str(d.proto),
      '-m',
      str(d.proto),
      '--dport',
      str(d.containerPort),
      '-j',
      'ACCEPT',
    ];
    plans.push({
      remedy: 'allow-in-docker-user',
      safety: 'suggest',
      title: `Allow the published port explicitly in DOCKER-USER, ahead of the drop`,
      disrupts: [],
      warnings: [
        "DOCKER-USER runs before Docker's own rules: an ACCEPT there lets every source in; add -s to narrow it",
      ],
      preconditions: [],
      steps: [
        {
          argv: [bin, '-w', '-I', 'DOCKER-USER', '1', ...accept],
          why: `forwarded traffic to ${str(d.containerIp)}:${str(d.containerPort)} is accepted before any later drop`,
          undo: [bin, '-w', '-D', 'DOCKER-USER', ...accept],
        },
      ],
      rule: f.rule,
    });
  }
  return plans;
}

export const firewallDrop: Remedy = { plans };
