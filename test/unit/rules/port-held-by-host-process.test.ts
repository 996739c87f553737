// port-held-by-host-process: lab captures in, messageIds and data out (test/helpers/rule-tester.ts).
import { portHeldByHostProcess } from '../../../src/rules/port-held-by-host-process.js';
import { snapshotFromCapture } from '../../helpers/lab-capture.js';
import { ruleTester } from '../../helpers/rule-tester.js';

ruleTester(portHeldByHostProcess, {
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
      name: 'compose-duplicate 18803/tcp',
      snapshot: snapshotFromCapture('compose-duplicate'),
      subject: { proto: 'tcp', ip: null, port: 18803 },
      findings: [
        {
          messageId: 'held',
          severity: 'error',
          confidence: 'certain',
          data: {
            held: '0.0.0.0:18803/tcp',
            requested: '0.0.0.0:18803/tcp',
            dualStack: false,
            maybeDualStack: false,
            pid: 7366,
            comm: 'python3',
            unit: null,
            heldIp: '0.0.0.0',
            requestedIp: '0.0.0.0',
            stage: 'userland-proxy',
          },
        },
      ],
    },
    {
      name: 'host-process-loopback 0.0.0.0 18102/tcp',
      snapshot: snapshotFromCapture('host-process-loopback'),
      subject: { proto: 'tcp', ip: '0.0.0.0', port: 18102 },
      findings: [
        {
          messageId: 'held',
          severity: 'error',
          confidence: 'certain',
          data: {
            held: '127.0.0.1:18102/tcp',
            requested: '0.0.0.0:18102/tcp',
            dualStack: false,
            maybeDualStack: false,
            pid: 13136,
            comm: 'busybox',
            unit: null,
            heldIp: '127.0.0.1',
            requestedIp: '0.0.0.0',
            stage: 'userland-proxy',
          },
        },
      ],
    },
  ],
});
