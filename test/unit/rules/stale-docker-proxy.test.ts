// stale-docker-proxy: lab captures in, messageIds and data out (test/helpers/rule-tester.ts).
// the lab captures record no /proc/PID/exe, so a docker-proxy whose parent is not dockerd is only 'possible'
import { staleDockerProxy } from '../../../src/rules/stale-docker-proxy.js';
import { snapshotFromCapture } from '../../helpers/lab-capture.js';
import { ruleTester } from '../../helpers/rule-tester.js';

ruleTester(staleDockerProxy, {
  valid: [
    {
      name: 'daemon-crash-proxy/before-crash 2024/tcp: another rule explains it',
      snapshot: snapshotFromCapture('daemon-crash-proxy/before-crash'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
    },
    {
      name: 'compose-duplicate 2024/tcp: another rule explains it',
      snapshot: snapshotFromCapture('compose-duplicate'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
    },
    {
      name: 'stale-proxy 29999/tcp: nothing on the port',
      snapshot: snapshotFromCapture('stale-proxy'),
      subject: { proto: 'tcp', ip: null, port: 29999 },
    },
  ],
  invalid: [
    {
      name: 'stale-proxy 18501/tcp',
      snapshot: snapshotFromCapture('stale-proxy'),
      subject: { proto: 'tcp', ip: null, port: 18501 },
      findings: [
        {
          messageId: 'notDockerdsChild',
          severity: 'error',
          confidence: 'possible',
          data: {
            held: '0.0.0.0:18501/tcp',
            target: '172.17.0.250:80',
            container: null,
            pid: 28994,
            ppid: 28693,
            containerIp: '172.17.0.250',
            parentIsDockerd: false,
            stage: 'userland-proxy',
          },
        },
        {
          messageId: 'notDockerdsChild',
          severity: 'error',
          confidence: 'possible',
          data: {
            held: '[::]:18501/tcp',
            target: '172.17.0.250:80',
            container: null,
            pid: 28996,
            ppid: 28693,
            containerIp: '172.17.0.250',
            parentIsDockerd: false,
            stage: 'userland-proxy',
          },
        },
      ],
    },
    {
      name: 'stale-proxy 0.0.0.0 18501/tcp',
      snapshot: snapshotFromCapture('stale-proxy'),
      subject: { proto: 'tcp', ip: '0.0.0.0', port: 18501 },
      findings: [
        {
          messageId: 'notDockerdsChild',
          severity: 'error',
          confidence: 'possible',
          data: {
            held: '0.0.0.0:18501/tcp',
            target: '172.17.0.250:80',
            container: null,
            pid: 28994,
            ppid: 28693,
            containerIp: '172.17.0.250',
            parentIsDockerd: false,
            stage: 'userland-proxy',
          },
        },
      ],
    },
    {
      name: 'daemon-crash-proxy/before-crash 18701/tcp',
      snapshot: snapshotFromCapture('daemon-crash-proxy/before-crash'),
      subject: { proto: 'tcp', ip: null, port: 18701 },
      findings: [
        {
          messageId: 'childOfDockerd',
          severity: 'error',
          confidence: 'possible',
          data: {
            held: '0.0.0.0:18701/tcp',
            target: '10.99.1.2:80',
            container: null,
            pid: 3743,
            ppid: 3644,
            containerIp: '10.99.1.2',
            parentIsDockerd: true,
            stage: 'userland-proxy',
          },
        },
        {
          messageId: 'childOfDockerd',
          severity: 'error',
          confidence: 'possible',
          data: {
            held: '[::]:18701/tcp',
            target: '10.99.1.2:80',
            container: null,
            pid: 3750,
            ppid: 3644,
            containerIp: '10.99.1.2',
            parentIsDockerd: true,
            stage: 'userland-proxy',
          },
        },
      ],
    },
  ],
});
