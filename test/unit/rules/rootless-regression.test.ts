// rootless-regression: engine facts in (no lab capture has a 29.x rootless daemon), messageIds and data out.
import { rootlessRegression } from '../../../src/rules/rootless-regression.js';
import { snapshot } from '../../helpers/snapshot-builder.js';
import { ruleTester } from '../../helpers/rule-tester.js';

const rl = (version: string, driver: string | null, rootless = true) =>
  snapshot({
    engine: {
      version,
      rootless,
      securityOptions: ['name=seccomp,profile=builtin', ...(rootless ? ['name=rootless'] : [])],
      rootlessPortDriver: driver,
      rootlessNet: 'slirp4netns',
    },
  });
const subject = { proto: 'tcp', ip: null, port: 3000 } as const;

ruleTester(rootlessRegression, {
  valid: [
    { name: '28.5.2 is before the regression', snapshot: rl('28.5.2', 'slirp4netns'), subject },
    { name: '29.1.2 has the fix', snapshot: rl('29.1.2', 'slirp4netns'), subject },
    { name: 'the implicit (pasta) port driver is not affected', snapshot: rl('29.0.1', 'implicit'), subject },
    { name: 'rootful 29.0.4 is not affected', snapshot: rl('29.0.4', null, false), subject },
  ],
  invalid: [
    {
      name: '29.0.4 with slirp4netns',
      snapshot: rl('29.0.4', 'slirp4netns'),
      subject,
      findings: [
        {
          messageId: 'regression',
          severity: 'error',
          confidence: 'certain',
          data: { version: '29.0.4', first: '29.0.0', last: '29.1.1', fixed: '29.1.2', issue: 'moby/moby#51591' },
        },
      ],
    },
    {
      name: '29.1.1 with the port driver unreadable',
      snapshot: rl('29.1.1', null),
      subject,
      findings: [{ messageId: 'regression', confidence: 'likely', data: { version: '29.1.1' } }],
    },
  ],
});
