// Only what a collection needs is imported up front: the children (ss, iptables-save, nft …) start
// first, and the rules, remedies and renderer are loaded while they run (bench/results: start-up).
import { collectSnapshot } from '../../collect/index.js';
import { nodeHostIO } from '../../collect/host-io.js';
import type { Snapshot } from '../../model.js';
import { candidatePorts } from '../../remedy/candidate-ports.js';
import { resolveSubject } from '../../subject.js';
import { textArg } from '../io.js';
import { parseTarget, parseTimeout, UsageError } from '../target.js';
import type { DiagnoseJson } from '../json-types.js';

export interface DiagnoseOpts {
  error?: string;
  json?: boolean;
  from?: string;
  timeout?: string;
  /** false: --no-probe */
  probe?: boolean;
}

export async function runDiagnose(target: string | undefined, o: DiagnoseOpts): Promise<number> {
  const t = target ? parseTarget(target) : null;
  const errText = textArg(o.error, 'the error you saw (docker run / compose output)');
  if (o.error !== undefined && !errText?.trim())
    throw new UsageError('--error was given but empty: pass the error text, or - to read it from stdin');
  // the error reader is only loaded when there is an error to read
  const symptom = errText ? (await import('../../symptom.js')).symptomFrom(errText) : null;
  if (errText && !symptom)
    process.stderr.write(
      'portdoctor: the --error text was not recognised as a port-publish error; diagnosing without it\n',
    );
  if (symptom?.port === 0)
    throw new UsageError(
      'the --error text names port 0, which is no host port (0 asks the kernel for any free one): give the port you published, e.g. diagnose 8080',
    );
  if (t && symptom?.port != null && symptom.port !== t.port)
    process.stderr.write(
      `portdoctor: the --error text is about port ${symptom.port}, not ${t.port}: diagnosing ${t.port} as asked (run diagnose ${symptom.port} for the port in the error)\n`,
    );
  const subject = resolveSubject({ port: t?.port ?? null, ip: t?.ip ?? null, proto: t?.proto ?? null, symptom });
  if (!subject) {
    throw new UsageError(
      target
        ? `no port in "${target}"`
        : 'which port? give PORT[/PROTO] or IP:PORT[/PROTO], or --error with a message that names the port',
    );
  }
  const timeoutMs = parseTimeout(o.timeout);
  // a few neighbours too (15 ports keep the kernel-filtered socket query): a printed "use port N instead"
  // must name a port this very collection saw free
  const snapP: Promise<Snapshot> = o.from
    ? import('../../snapshot/io.js').then((m) => m.loadSnapshot(o.from as string))
    : collectSnapshot(nodeHostIO(), {
        ports: [subject.port, ...candidatePorts(subject.port, 7)],
        timeoutMs,
        probe: o.probe === false ? false : [{ proto: subject.proto, ip: subject.ip, port: subject.port }],
      });
  // a failed load is the snapshot's error (a bad --from), not an unhandled rejection while modules load
  snapP.catch(() => undefined);
  const [{ diagnose, exitCodeOf }, { planRemedies }, { nearestFreePort }, { renderDiagnosis }] = await Promise.all([
    import('../../diagnose.js'),
    import('../../remedy/plan.js'),
    import('../../remedy/suggest-port.js'),
    import('../render/text.js'),
  ]);
  const snap = await snapP;
  const d = diagnose(snap, subject, symptom);
  const free =
    d.verdict.cause === 'port-free' || d.verdict.cause === 'unknown'
      ? null
      : nearestFreePort(snap, subject.proto, subject.ip, subject.port, 7);
  const plans = planRemedies(d, snap, { freePort: free });
  if (o.json) process.stdout.write(`${JSON.stringify({ ...d, remedies: plans } satisfies DiagnoseJson, null, 2)}\n`);
  else process.stdout.write(`${renderDiagnosis(d, plans)}\n`);
  return exitCodeOf(d);
}
