// Host ports a host service usually holds already: the publish fails at deploy time on most hosts.
import { COMPOSE_RULE_MESSAGES } from './messages.js';
import { defineComposeRule, type ProblemDraft } from './types.js';

const HELD: Readonly<Record<string, string>> = {
  'udp/53':
    'systemd-resolved (127.0.0.53:53) on most systemd hosts: bind a specific host IP, e.g. "127.0.0.1:53:53/udp" or the LAN address',
  'tcp/53': 'systemd-resolved (127.0.0.53:53) on most systemd hosts: bind a specific host IP',
  'tcp/22': 'sshd',
  'tcp/25': 'the host MTA (exim/postfix)',
  'udp/123': 'chronyd / ntpd',
  'tcp/111': 'rpcbind',
  'udp/111': 'rpcbind',
  'udp/5353': 'avahi-daemon (mDNS)',
  'tcp/631': 'cupsd',
  'tcp/5000': 'macOS AirPlay Receiver (Docker Desktop on a Mac)',
  'tcp/7000': 'macOS AirPlay Receiver (Docker Desktop on a Mac)',
};

export const wellKnownHostPort = defineComposeRule({
  meta: {
    id: 'well-known-host-port',
    severity: 'warning',
    description: 'A host port that a host service usually holds already.',
    messages: COMPOSE_RULE_MESSAGES['well-known-host-port'],
  },
  check(ctx) {
    const out: ProblemDraft<'usuallyHeld'>[] = [];
    for (const p of ctx.projects)
      for (const s of p.services)
        for (const b of s.bindings) {
          if (b.hostPort === 'ephemeral') continue;
          for (let port = b.hostPort.start; port <= b.hostPort.end; port++) {
            const who = HELD[`${b.proto}/${port}`];
            if (!who) continue;
            // a specific non-loopback IP avoids the resolved stub (lab: resolved-stub control)
            if (port === 53 && b.hostIp !== null && b.hostIp !== '0.0.0.0' && !b.hostIp.startsWith('127.0.0.5'))
              continue;
            out.push({
              ...b.at,
              messageId: 'usuallyHeld',
              data: { proto: b.proto, hostIp: b.hostIp, port, services: [s.name], service: s.name, heldBy: who },
            });
            break;
          }
        }
    return out;
  },
});
