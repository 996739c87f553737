// port-held-by-unseen-owner: lab captures in, messageIds and data out (test/helpers/rule-tester.ts).
import { portHeldByUnseenOwner } from '../../../src/rules/port-held-by-unseen-owner.js';
import { snapshotFromCapture } from '../../helpers/lab-capture.js';
import { ruleTester } from '../../helpers/rule-tester.js';

ruleTester(portHeldByUnseenOwner, {
  valid: [
    {
      name: 'compose-duplicate 18801/tcp: another rule explains it',
      snapshot: snapshotFromCapture('compose-duplicate'),
      subject: { proto: 'tcp', ip: null, port: 18801 },
    },
    {
      name: 'daemon-crash-proxy 18701/tcp: another rule explains it',
      snapshot: snapshotFromCapture('daemon-crash-proxy'),
      subject: { proto: 'tcp', ip: null, port: 18701 },
    },
    {
      name: 'compose-duplicate 29999/tcp: nothing on the port',
      snapshot: snapshotFromCapture('compose-duplicate'),
      subject: { proto: 'tcp', ip: null, port: 29999 },
    },
  ],
  invalid: [
    {
      name: 'compose-duplicate 2024/tcp',
      snapshot: snapshotFromCapture('compose-duplicate'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
      findings: [
        {
          messageId: 'hiddenFromRoot',
          severity: 'error',
          confidence: 'possible',
          data: {
            held: '0.0.0.0:2024/tcp',
            requested: '0.0.0.0:2024/tcp',
            uid: 0,
            heldIp: '0.0.0.0',
            requestedIp: '0.0.0.0',
          },
        },
      ],
    },
  ],
});
