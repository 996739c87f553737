// port-allocated-to-container: lab captures in, messageIds and data out (test/helpers/rule-tester.ts).
import { portAllocatedToContainer } from '../../../src/rules/port-allocated-to-container.js';
import { snapshotFromCapture } from '../../helpers/lab-capture.js';
import { ruleTester } from '../../helpers/rule-tester.js';

ruleTester(portAllocatedToContainer, {
  valid: [
    {
      name: 'compose-duplicate 2024/tcp: another rule explains it',
      snapshot: snapshotFromCapture('compose-duplicate'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
    },
    {
      name: 'daemon-crash-proxy 2024/tcp: another rule explains it',
      snapshot: snapshotFromCapture('daemon-crash-proxy'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
    },
    {
      name: 'compose-duplicate 29999/tcp: nothing on the port',
      snapshot: snapshotFromCapture('compose-duplicate'),
      subject: { proto: 'tcp', ip: null, port: 29999 },
    },
  ],
  invalid: [
    {
      name: 'compose-duplicate 18801/tcp',
      snapshot: snapshotFromCapture('compose-duplicate'),
      subject: { proto: 'tcp', ip: null, port: 18801 },
      findings: [
        {
          messageId: 'allocated',
          severity: 'error',
          confidence: 'certain',
          data: {
            bind: '0.0.0.0:18801/tcp',
            containerName: 'portlabdup_web-a_1',
            composeProject: 'portlabdup',
            composeService: 'web-a',
            stage: 'port-allocator',
          },
        },
      ],
    },
  ],
});
