// resolved-stub: publish DNS on a specific host IP (the stub keeps 127.0.0.53), or disable the stub.
import { holderOf } from './common.js';
import type { Remedy } from './types.js';

export const resolvedStub: Remedy = {
  plans(f, { diagnosis: d }) {
    if (!holderOf(f, 'process')) return [];
    return [
      {
        remedy: 'bind-specific-ip',
        safety: 'suggest',
        title: 'Publish DNS on a specific host IP; the stub keeps 127.0.0.53',
        disrupts: [],
        warnings: [],
        preconditions: [],
        steps: [
          {
            argv: ['docker', 'run', '-p', `127.0.0.1:${d.subject.port}:53/${d.subject.proto}`, 'IMAGE'],
            why: 'a specific IP does not overlap 127.0.0.53 (lab: resolved-stub control)',
          },
        ],
        rule: f.rule,
      },
      {
        remedy: 'stop-resolved-stub',
        safety: 'suggest',
        title: "Disable systemd-resolved's stub listener",
        disrupts: ['name resolution on this host until /etc/resolv.conf points elsewhere'],
        warnings: [
          'the host loses its DNS stub: set DNSStubListener=no and repoint /etc/resolv.conf before stopping it',
        ],
        preconditions: [],
        steps: [
          {
            argv: ['sed', '-i', 's/^#\\?DNSStubListener=.*/DNSStubListener=no/', '/etc/systemd/resolved.conf'],
            why: 'keeps resolved running without the port-53 stub',
          },
          { argv: ['systemctl', 'restart', 'systemd-resolved'], why: 'applies it' },
        ],
        rule: f.rule,
      },
    ];
  },
};
