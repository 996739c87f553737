// port-bound-by-container-on-other-ip: lab captures in, messageIds and data out (test/helpers/rule-tester.ts).
import { portBoundByContainerOnOtherIp } from '../../../src/rules/port-bound-by-container-on-other-ip.js';
import { snapshotFromCapture } from '../../helpers/lab-capture.js';
import { ruleTester } from '../../helpers/rule-tester.js';

ruleTester(portBoundByContainerOnOtherIp, {
  valid: [
    {
      name: 'other-container 2024/tcp: another rule explains it',
      snapshot: snapshotFromCapture('other-container'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
    },
    {
      name: 'compose-duplicate 2024/tcp: another rule explains it',
      snapshot: snapshotFromCapture('compose-duplicate'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
    },
    {
      name: 'other-container 29999/tcp: nothing on the port',
      snapshot: snapshotFromCapture('other-container'),
      subject: { proto: 'tcp', ip: null, port: 29999 },
    },
  ],
  invalid: [
    {
      name: 'other-container 127.0.0.1 18201/tcp',
      snapshot: snapshotFromCapture('other-container'),
      subject: { proto: 'tcp', ip: '127.0.0.1', port: 18201 },
      findings: [
        {
          messageId: 'overlaps',
          severity: 'error',
          confidence: 'certain',
          data: {
            held: '0.0.0.0:18201/tcp',
            requested: '127.0.0.1:18201/tcp',
            containerName: 'portlab-other-container-holder',
            composeProject: null,
            composeService: null,
            stage: 'userland-proxy',
          },
        },
      ],
    },
  ],
});
