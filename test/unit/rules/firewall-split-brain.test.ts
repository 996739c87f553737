// firewall-split-brain: lab captures in, messageIds and data out (test/helpers/rule-tester.ts).
import { firewallSplitBrain } from '../../../src/rules/firewall-split-brain.js';
import { snapshotFromCapture } from '../../helpers/lab-capture.js';
import { ruleTester } from '../../helpers/rule-tester.js';

ruleTester(firewallSplitBrain, {
  valid: [
    {
      name: 'nat-order-probe 2024/tcp: another rule explains it',
      snapshot: snapshotFromCapture('nat-order-probe'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
    },
    {
      name: 'compose-duplicate 2024/tcp: another rule explains it',
      snapshot: snapshotFromCapture('compose-duplicate'),
      subject: { proto: 'tcp', ip: null, port: 2024 },
    },
    {
      name: 'nat-order-probe 29999/tcp: nothing on the port',
      snapshot: snapshotFromCapture('nat-order-probe'),
      subject: { proto: 'tcp', ip: null, port: 29999 },
    },
  ],
  invalid: [
    {
      name: 'nat-order-probe 18493/tcp',
      snapshot: snapshotFromCapture('nat-order-probe'),
      subject: { proto: 'tcp', ip: null, port: 18493 },
      findings: [
        {
          messageId: 'otherBackend',
          severity: 'error',
          confidence: 'certain',
          data: {
            dnatPort: 'tcp/18493',
            destination: '127.0.0.1:18495',
            victim: null,
            backend: 'iptables-legacy',
            table: 'nat',
            chain: 'OUTPUT',
            handle: null,
            toIp: '127.0.0.1',
            toPort: 18495,
            dockerBackend: 'iptables-nft',
            wsl: false,
            victimId: null,
          },
        },
      ],
    },
  ],
});
