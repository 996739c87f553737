// stopped-container-claims-port: lab captures in, messageIds and data out (test/helpers/rule-tester.ts).
import { stoppedContainerClaimsPort } from '../../../src/rules/stopped-container-claims-port.js';
import { snapshotFromCapture } from '../../helpers/lab-capture.js';
import { ruleTester } from '../../helpers/rule-tester.js';

ruleTester(stoppedContainerClaimsPort, {
  valid: [
    {
      name: 'other-container-stopped 2024/tcp: another rule explains it',
      snapshot: snapshotFromCapture('other-container-stopped'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
    },
    {
      name: 'compose-duplicate 2024/tcp: another rule explains it',
      snapshot: snapshotFromCapture('compose-duplicate'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
    },
    {
      name: 'other-container-stopped 29999/tcp: nothing on the port',
      snapshot: snapshotFromCapture('other-container-stopped'),
      subject: { proto: 'tcp', ip: null, port: 29999 },
    },
  ],
  invalid: [
    {
      name: 'other-container-stopped 18202/tcp',
      snapshot: snapshotFromCapture('other-container-stopped'),
      subject: { proto: 'tcp', ip: null, port: 18202 },
      findings: [
        {
          messageId: 'wouldClaim',
          severity: 'info',
          confidence: 'certain',
          data: {
            bind: '0.0.0.0:18202/tcp',
            listed: true,
            autoRestartPolicy: null,
            state: 'created',
            restartPolicy: null,
          },
        },
      ],
    },
  ],
});
