import { collectSnapshot } from '../../collect/index.js';
import { nodeHostIO } from '../../collect/host-io.js';
import { diagnose, exitCodeOf, resolveSubject } from '../../diagnose.js';
import { planRemedies } from '../../remedy/plan.js';
import { candidatePorts, nearestFreePort } from '../../remedy/suggest-port.js';
import { loadSnapshot } from '../../snapshot/io.js';
import { textArg } from '../io.js';
import { renderDiagnosis } from '../render/text.js';
import { parseTarget, UsageError } from '../target.js';
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
  const subject = resolveSubject({ port: t?.port ?? null, ip: t?.ip ?? null, proto: t?.proto ?? null, symptom });
  if (!subject) {
    throw new UsageError(
      target
        ? `no port in "${target}"`
        : 'which port? give PORT[/PROTO] or IP:PORT[/PROTO], or --error with a message that names the port',
    );
  }
  const timeoutMs = o.timeout ? Number(o.timeout) : undefined;
  if (timeoutMs !== undefined && !(timeoutMs > 0))
    throw new UsageError(`--timeout "${o.timeout}" is not a positive number of milliseconds`);
  // a few neighbours too (15 ports keep the kernel-filtered socket query): a printed "use port N instead"
  // must name a port this very collection saw free
  const snap = o.from
    ? loadSnapshot(o.from)
    : await collectSnapshot(nodeHostIO(), {
        ports: [subject.port, ...candidatePorts(subject.port, 7)],
        timeoutMs,
        probe: o.probe === false ? false : [{ proto: subject.proto, ip: subject.ip, port: subject.port }],
      });
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
