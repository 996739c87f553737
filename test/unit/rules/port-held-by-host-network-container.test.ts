// port-held-by-host-network-container: lab captures in, messageIds and data out (test/helpers/rule-tester.ts).
import { portHeldByHostNetworkContainer } from '../../../src/rules/port-held-by-host-network-container.js';
import { snapshotFromCapture } from '../../helpers/lab-capture.js';
import { ruleTester } from '../../helpers/rule-tester.js';

ruleTester(portHeldByHostNetworkContainer, {
  valid: [
    {
      name: 'host-network-container 2024/tcp: another rule explains it',
      snapshot: snapshotFromCapture('host-network-container'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
    },
    {
      name: 'compose-duplicate 2024/tcp: another rule explains it',
      snapshot: snapshotFromCapture('compose-duplicate'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
    },
    {
      name: 'host-network-container 29999/tcp: nothing on the port',
      snapshot: snapshotFromCapture('host-network-container'),
      subject: { proto: 'tcp', ip: null, port: 29999 },
    },
  ],
  invalid: [
    {
      name: 'host-network-container 18301/tcp',
      snapshot: snapshotFromCapture('host-network-container'),
      subject: { proto: 'tcp', ip: null, port: 18301 },
      findings: [
        {
          messageId: 'holds',
          severity: 'error',
          confidence: 'certain',
          data: {
            held: '[::]:18301/tcp',
            shortId: 'e5ba4860dc52',
            containerName: 'portlab-host-network-container-hostnet',
            pid: 21096,
            comm: 'busybox',
            composeProject: null,
            composeService: null,
            stage: 'userland-proxy',
          },
        },
        {
          messageId: 'holds',
          severity: 'error',
          confidence: 'certain',
          data: {
            held: '[::]:18301/tcp',
            shortId: 'e5ba4860dc52',
            containerName: 'portlab-host-network-container-hostnet',
            pid: 21096,
            comm: 'busybox',
            composeProject: null,
            composeService: null,
            stage: 'userland-proxy',
          },
        },
      ],
    },
    {
      name: 'host-network-container 0.0.0.0 18301/tcp',
      snapshot: snapshotFromCapture('host-network-container'),
      subject: { proto: 'tcp', ip: '0.0.0.0', port: 18301 },
      findings: [
        {
          messageId: 'holds',
          severity: 'error',
          confidence: 'certain',
          data: {
            held: '[::]:18301/tcp',
            shortId: 'e5ba4860dc52',
            containerName: 'portlab-host-network-container-hostnet',
            pid: 21096,
            comm: 'busybox',
            composeProject: null,
            composeService: null,
            stage: 'userland-proxy',
          },
        },
      ],
    },
  ],
});
