// allocation-without-listener: lab captures in, messageIds and data out (test/helpers/rule-tester.ts).
import { allocationWithoutListener } from '../../../src/rules/allocation-without-listener.js';
import { snapshotFromCapture } from '../../helpers/lab-capture.js';
import { ruleTester } from '../../helpers/rule-tester.js';

ruleTester(allocationWithoutListener, {
  valid: [
    {
      name: 'killed-proxy 2024/tcp: another rule explains it',
      snapshot: snapshotFromCapture('killed-proxy'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
    },
    {
      name: 'compose-duplicate 2024/tcp: another rule explains it',
      snapshot: snapshotFromCapture('compose-duplicate'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
    },
    {
      name: 'killed-proxy 29999/tcp: nothing on the port',
      snapshot: snapshotFromCapture('killed-proxy'),
      subject: { proto: 'tcp', ip: null, port: 29999 },
    },
  ],
  invalid: [
    {
      name: 'killed-proxy 18601/tcp',
      snapshot: snapshotFromCapture('killed-proxy'),
      subject: { proto: 'tcp', ip: null, port: 18601 },
      findings: [
        {
          messageId: 'proxyGone',
          severity: 'error',
          confidence: 'certain',
          data: {
            bind: '0.0.0.0:18601/tcp',
            containerName: 'portlab-killed-proxy-victim',
            composeProject: null,
            composeService: null,
            stage: 'port-allocator',
            hostProcessNow: true,
          },
        },
      ],
    },
    {
      name: 'killed-proxy 0.0.0.0 18601/tcp',
      snapshot: snapshotFromCapture('killed-proxy'),
      subject: { proto: 'tcp', ip: '0.0.0.0', port: 18601 },
      findings: [
        {
          messageId: 'proxyGone',
          severity: 'error',
          confidence: 'certain',
          data: {
            bind: '0.0.0.0:18601/tcp',
            containerName: 'portlab-killed-proxy-victim',
            composeProject: null,
            composeService: null,
            stage: 'port-allocator',
            hostProcessNow: true,
          },
        },
      ],
    },
  ],
});
