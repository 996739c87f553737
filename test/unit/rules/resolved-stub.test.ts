// resolved-stub: lab captures in, messageIds and data out (test/helpers/rule-tester.ts).
import { resolvedStub } from '../../../src/rules/resolved-stub.js';
import { snapshotFromCapture } from '../../helpers/lab-capture.js';
import { ruleTester } from '../../helpers/rule-tester.js';

ruleTester(resolvedStub, {
  valid: [
    {
      name: 'resolved-stub 2024/tcp: another rule explains it',
      snapshot: snapshotFromCapture('resolved-stub'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
    },
    {
      name: 'compose-duplicate 2024/tcp: another rule explains it',
      snapshot: snapshotFromCapture('compose-duplicate'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
    },
    {
      name: 'resolved-stub 29999/tcp: nothing on the port',
      snapshot: snapshotFromCapture('resolved-stub'),
      subject: { proto: 'tcp', ip: null, port: 29999 },
    },
  ],
  invalid: [
    {
      name: 'resolved-stub 0.0.0.0 53/tcp',
      snapshot: snapshotFromCapture('resolved-stub'),
      subject: { proto: 'tcp', ip: '0.0.0.0', port: 53 },
      findings: [
        {
          messageId: 'stub',
          severity: 'error',
          confidence: 'certain',
          data: {
            held: '127.0.0.53:53/tcp',
            requested: '0.0.0.0:53/tcp',
            pid: 5692,
            comm: 'systemd-resolve',
            unit: 'systemd-resolved.service',
            heldIp: '127.0.0.53',
            stage: 'userland-proxy',
          },
        },
      ],
    },
  ],
});
