// firewall-split-brain: lab captures in, messageIds and data out (test/helpers/rule-tester.ts).
import { firewallSplitBrain } from '../../../src/rules/firewall-split-brain.js';
import { snapshotFromCapture } from '../../helpers/lab-capture.js';
import { ruleTester } from '../../helpers/rule-tester.js';

ruleTester(firewallSplitBrain, {
  valid: [
    {
      // the legacy OUTPUT rule to 127.0.0.1 is a host port forward: foreign-dnat names it, not a split brain
      name: 'nat-order-probe 18493/tcp: a host forward in the other backend',
      snapshot: snapshotFromCapture('nat-order-probe'),
      subject: { proto: 'tcp', ip: null, port: 18493 },
    },
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
      name: 'orphan-dnat-legacy 18403/tcp',
      snapshot: snapshotFromCapture('orphan-dnat-legacy'),
      subject: { proto: 'tcp', ip: null, port: 18403 },
      findings: [
        {
          messageId: 'otherBackend',
          severity: 'error',
          data: { backend: 'iptables-legacy', table: 'nat', toIp: '172.17.0.250', dockerBackend: 'iptables-nft' },
        },
      ],
    },
  ],
});
