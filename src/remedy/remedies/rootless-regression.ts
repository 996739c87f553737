// rootless-regression: only an engine upgrade helps (moby#51616).
import type { Remedy } from './types.js';

export const rootlessRegression: Remedy = {
  plans: (f) => [
    {
      remedy: 'upgrade-rootless-engine',
      safety: 'suggest',
      title: 'Upgrade Docker to 29.1.2 or later (moby#51616); no port-level workaround helps',
      disrupts: ['rootless Docker daemon restart'],
      warnings: [
        "maintainers' interim workaround: the pasta network with the implicit port driver (DOCKERD_ROOTLESS_ROOTLESSKIT_NET=pasta, DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=implicit)",
      ],
      preconditions: [],
      steps: [{ argv: ['systemctl', '--user', 'restart', 'docker'], why: 'after installing the fixed engine' }],
      rule: f.rule,
    },
  ],
};
