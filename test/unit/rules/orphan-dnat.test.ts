// orphan-dnat: lab captures in, messageIds and data out (test/helpers/rule-tester.ts).
import { orphanDnat } from '../../../src/rules/orphan-dnat.js';
import { snapshotFromCapture } from '../../helpers/lab-capture.js';
import { ruleTester } from '../../helpers/rule-tester.js';

ruleTester(orphanDnat, {
  valid: [
    {
      // DNATs to 127.0.0.1 are a host port forward (owner: the host's lo), so foreign-dnat reports them, not this rule
      name: 'nat-order-probe 18490/tcp: rules to a host address are not orphans',
      snapshot: snapshotFromCapture('nat-order-probe'),
      subject: { proto: 'tcp', ip: null, port: 18490 },
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
      name: 'orphan-dnat 18401/tcp',
      snapshot: snapshotFromCapture('orphan-dnat'),
      subject: { proto: 'tcp', ip: null, port: 18401 },
      findings: [
        {
          messageId: 'takesTraffic',
          severity: 'error',
          confidence: 'certain',
          data: {
            dnatPort: 'tcp/18401',
            destination: '172.17.0.250:80',
            ipOwner: null,
            shadowPosition: 3,
            port: 18401,
            backend: 'iptables-nft',
            table: 'nat',
            chain: 'DOCKER',
            handle: null,
            toIp: '172.17.0.250',
            toPort: 80,
            position: 1,
            reachable: true,
            priority: -100,
            dockerBackend: 'iptables-nft',
            victimName: 'portlab-orphan-dnat-default',
          },
        },
      ],
    },
    {
      name: 'orphan-dnat-nft-table 18405/tcp',
      snapshot: snapshotFromCapture('orphan-dnat-nft-table'),
      subject: { proto: 'tcp', ip: null, port: 18405 },
      findings: [
        {
          messageId: 'takesTraffic',
          severity: 'error',
          confidence: 'certain',
          data: {
            dnatPort: 'tcp/18405',
            destination: '172.17.0.250:80',
            ipOwner: null,
            shadowPosition: null,
            port: 18405,
            backend: 'nft',
            table: 'portlab_orphan',
            chain: 'prerouting',
            handle: 3,
            toIp: '172.17.0.250',
            toPort: 80,
            position: 0,
            reachable: true,
            priority: -110,
            dockerBackend: 'iptables-nft',
            victimName: 'portlab-orphan-dnat-nft-table-default',
          },
        },
        {
          messageId: 'takesTraffic',
          severity: 'error',
          confidence: 'certain',
          data: {
            dnatPort: 'tcp/18405',
            destination: '172.17.0.250:80',
            ipOwner: null,
            shadowPosition: null,
            port: 18405,
            backend: 'nft',
            table: 'portlab_orphan',
            chain: 'output',
            handle: 4,
            toIp: '172.17.0.250',
            toPort: 80,
            position: 0,
            reachable: true,
            priority: -110,
            dockerBackend: 'iptables-nft',
            victimName: 'portlab-orphan-dnat-nft-table-default',
          },
        },
      ],
    },
  ],
});
