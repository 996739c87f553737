// docker-rules-missing: let Docker program the mapping again (restart the container, or dockerd),
// or put its exact rules back by hand. All suggestions: each names what it disrupts.
import type { Finding, Plan } from '../../model.js';
import { iptablesBin } from './common.js';
import type { Remedy, RemedyContext } from './types.js';

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

function plans(f: Finding, ctx: RemedyContext): Plan[] {
  const d = f.data;
  const name = str(d.containerName);
  const lr = d.liveRestore === true;
  const live = ctx.live.length;
  const bin = iptablesBin('ip', d.backend);
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
        ]
      : []),
    // only PREROUTING's jump is gone when the host's own connections are still translated
    ...(d.missing !== 'dnat' && d.hooks !== 'PREROUTING'
      ? [
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
      disrupts: lr
        ? ['nothing: live-restore is enabled, containers keep running across the restart']
        : [
            `live-restore is NOT enabled: all ${live} running container(s) stop, and only restart-policy ones come back`,
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

export const dockerRulesMissing: Remedy = { plans };
