// port-held-by-forwarder: rootless forwarders built with the snapshot builder (the lab ran rootful
// Docker only), messageIds and data out.
import { portHeldByForwarder } from '../../../src/rules/port-held-by-forwarder.js';
import { container, proc, snapshot, sock } from '../../helpers/snapshot-builder.js';
import { ruleTester } from '../../helpers/rule-tester.js';

const web = container('c1', 'web', '10.0.2.100', [['0.0.0.0', 8080, 80]]);
const rootless = (comm: string, withContainer: boolean, uid = 1000) =>
  snapshot({
    engine: { version: '28.5.2', rootless: true, rootlessPortDriver: 'builtin' },
    containers: withContainer ? [web] : [],
    sockets: [sock('tcp', '0.0.0.0', 8080, [2000], { uid })],
    processes: [proc(2000, comm, [comm], { uid })],
  });
const subject = { proto: 'tcp', ip: null, port: 8080 } as const;

ruleTester(portHeldByForwarder, {
  valid: [
    { name: 'a host process is not a forwarder', snapshot: rootless('python3', true), subject },
    { name: 'another port', snapshot: rootless('rootlesskit', true), subject: { ...subject, port: 8081 } },
  ],
  invalid: [
    {
      name: 'rootlesskit for a container of this engine',
      snapshot: rootless('rootlesskit', true),
      subject,
      findings: [
        {
          messageId: 'forContainer',
          severity: 'error',
          confidence: 'certain',
          data: { pid: 2000, comm: 'rootlesskit', containerName: 'web' },
          holders: [{ kind: 'container', name: 'web', pid: 2000 }],
        },
      ],
    },
    {
      name: "pasta for another user's engine",
      snapshot: rootless('pasta.avx2', false, 1001),
      subject,
      findings: [
        {
          messageId: 'forOtherEngine',
          confidence: 'likely',
          data: { uid: 1001, comm: 'pasta.avx2', containerName: null },
          holders: [{ kind: 'process', pid: 2000 }],
        },
      ],
    },
  ],
});
