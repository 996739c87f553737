// Remedies for the path causes (issue 17), as data. All are suggestions: Docker's own rules are
// re-created by Docker, and a drop rule or a conntrack limit belongs to the host's admin.
import type { Finding, Plan, Snapshot } from '../model.js';

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

export function planDockerRulesMissing(f: Finding, snap: Snapshot): Plan[] {
  const d = f.data;
  const name = str(d.containerName);
  const lr = d.liveRestore === true;
  const live = snap.containers.ok ? snap.containers.value.filter((c) => c.state === 'running').length : 0;
  const bin = d.backend === 'iptables-legacy' ? 'iptables-legacy' : 'iptables';
  const chain = str(d.chain) || 'DOCKER';
  const dnatSpec = [
    '!',
    '-i',
    str(d.bridge) || 'docker0',
    '-p',
    str(d.proto),
    '-m',
    str(d.proto),
    '--dport',
    str(d.hostPort),
    '-j',
    'DNAT',
    '--to-destination',
    `${str(d.containerIp)}:${str(d.containerPort)}`,
  ];
  const byHand: Plan['steps'] = [
    ...(d.missing === 'chain'
      ? [{ argv: [bin, '-w', '-t', 'nat', '-N', 'DOCKER'], why: 'the chain Docker jumps to' }]
      : []),
    ...(d.missing !== 'dnat'
      ? [
          {
            argv: [bin, '-w', '-t', 'nat', '-A', 'PREROUTING', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', chain],
            why: 'outside traffic to a local address enters the chain again',
            undo: [bin, '-w', '-t', 'nat', '-D', 'PREROUTING', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', chain],
          },
          {
            argv: [
              bin,
              '-w',
              '-t',
              'nat',
              '-A',
              'OUTPUT',
              '!',
              '-d',
              '127.0.0.0/8',
              '-m',
              'addrtype',
              '--dst-type',
              'LOCAL',
              '-j',
              chain,
            ],
            why: "the host's own connections to its non-loopback addresses too",
            undo: [
              bin,
              '-w',
              '-t',
              'nat',
              '-D',
              'OUTPUT',
              '!',
              '-d',
              '127.0.0.0/8',
              '-m',
              'addrtype',
              '--dst-type',
              'LOCAL',
              '-j',
              chain,
            ],
          },
        ]
      : []),
    ...(d.missing !== 'jump'
      ? [
          {
            argv: [bin, '-w', '-t', 'nat', '-A', 'DOCKER', ...dnatSpec],
            why: `Docker's rule for ${str(d.hostPort)}/${str(d.proto)}, exactly as dockerd writes it`,
            undo: [bin, '-w', '-t', 'nat', '-D', 'DOCKER', ...dnatSpec],
          },
        ]
      : []),
  ];
  return [
    {
      remedy: 'restart-container',
      safety: 'suggest',
      title: `Restart container ${name}: dockerd programs its port mappings again when it starts`,
      disrupts: [`container ${name} restarts: its connections drop and its processes start over`],
      warnings:
        d.missing === 'dnat'
          ? []
          : ["only the container's own rules are re-created; with its chain or jump gone, restart dockerd instead"],
      preconditions: [{ kind: 'container-state', id: str(d.containerId), states: ['running'] }],
      steps: [
        { argv: ['docker', 'restart', name], why: 're-creates the DNAT and filter rules of its published ports' },
      ],
      rule: f.rule,
    },
    {
      remedy: 'restart-dockerd',
      safety: 'suggest',
      title: "Restart dockerd: it re-creates its chains, jumps and every published port's rules",
      disrupts: [
        lr
          ? 'live-restore is enabled: containers keep running across the restart'
          : `live-restore is NOT enabled: all ${live} running container(s) stop, and only restart-policy ones come back`,
      ],
      warnings: [
        "if a firewalld reload or an iptables-restore removed the rules, that will happen again: make it keep Docker's chains (firewalld: the docker zone; iptables-restore: --noflush)",
      ],
      preconditions: [],
      steps: [
        {
          argv: ['systemctl', 'restart', 'docker'],
          why: 'dockerd sets up DOCKER, DOCKER-USER and every mapping at start',
        },
      ],
      rule: f.rule,
    },
    {
      remedy: 're-add-docker-rules',
      safety: 'suggest',
      title: "Put Docker's missing rule(s) back by hand (nothing restarts)",
      disrupts: [],
      warnings: [
        'dockerd does not know about rules added by hand: it removes its own when the container stops, and these may then be left behind as orphans',
      ],
      preconditions: [],
      steps: byHand,
      rule: f.rule,
    },
  ];
}

export function planFirewallDrop(f: Finding): Plan[] {
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
      const bin = `${fam === 'ip6' ? 'ip6tables' : 'iptables'}${d.backend === 'iptables-legacy' ? '-legacy' : ''}`;
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
    const bin = d.backend === 'iptables-legacy' ? 'iptables-legacy' : 'iptables';
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

export function planConntrackFull(f: Finding): Plan[] {
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
