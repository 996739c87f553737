// diagnose(snapshot, question): rules → findings → verdict. Pure: the snapshot is all it reads.
import type { Diagnosis, Finding, Holder, Snapshot, Subject, Symptom, Verdict } from './model.js';
import { FACT_KEYS } from './model.js';
import { portFindings } from './port-query.js';
import { decide, subjectText } from './verdict.js';
import { pathSummaries } from './path/summary.js';

// the question's subject is resolved in a module of its own: diagnose's CLI needs it before the rules load
export { resolveSubject, type Question } from './subject.js';

function holderKey(h: Holder): string {
  switch (h.kind) {
    case 'process':
      return `p${h.pid}`;
    case 'docker-proxy':
      return `p${h.pid}`;
    case 'container':
      return `c${h.id}`;
    case 'rule':
      return `r${h.backend}${h.family}${h.table}${h.chain}${h.rule}`;
  }
}

export function engineLine(snap: Snapshot): string {
  if (!snap.engine.ok) return `engine unknown (${snap.engine.error.message})`;
  const e = snap.engine.value;
  const fw = e.firewallBackend ?? (e.iptablesVariant ? `iptables (${e.iptablesVariant})` : 'iptables');
  const rl = e.rootless
    ? `rootless${e.rootlessPortDriver ? ` (port driver ${e.rootlessPortDriver}${e.rootlessNet ? `, net ${e.rootlessNet}` : ''})` : ''}`
    : 'rootful';
  return `${e.product === 'podman' ? 'Podman' : 'Docker'} ${e.version} (API ${e.apiVersion}), ${rl}, firewall backend ${fw}${e.product === 'podman' ? '' : `, userland-proxy ${e.userlandProxy ? 'on' : 'off'}`}`;
}

export function diagnose(snap: Snapshot, subject: Subject, symptom: Symptom | null = null): Diagnosis {
  const text = subjectText(subject.proto, subject.ip, subject.port);
  // a snapshot collected for other ports holds none of this port's sockets or rules: it cannot say "free"
  const outOfScope = snap.scope.ports !== null && !snap.scope.ports.includes(subject.port);
  const { findings: ranked, inconclusive } = outOfScope
    ? {
        findings: [],
        inconclusive: [
          {
            rule: 'snapshot-scope',
            missing: [],
            why: `the snapshot was collected for port(s) ${snap.scope.ports?.join(', ')} only`,
          },
        ],
      }
    : portFindings(snap, subject, symptom);
  const verdict: Verdict = outOfScope
    ? {
        cause: 'unknown',
        confidence: 'possible',
        summary: `This snapshot was collected for port(s) ${snap.scope.ports?.join(', ')} only, so it holds nothing about ${text}: collect again with --port ${subject.port}.`,
      }
    : decide(snap, text, ranked, symptom);
  const holders: Holder[] = [];
  const seen = new Set<string>();
  for (const f of ranked) {
    if (f.severity === 'info') continue;
    for (const h of f.holders) {
      const k = holderKey(h);
      if (!seen.has(k)) {
        seen.add(k);
        holders.push(h);
      }
    }
  }
  const collectionErrors = FACT_KEYS.flatMap((k) => {
    const f = snap[k];
    // a probe that was turned off, or a snapshot recorded without one, is not a failed collector
    if (!f.ok && k === 'probe' && (f.error.code === 'unsupported' || f.error.code === 'absent')) return [];
    return f.ok ? [] : [{ fact: k, code: f.error.code, message: f.error.message }];
  });
  return {
    schema: 'portdoctor.diagnosis/1',
    subject: {
      proto: subject.proto,
      ip: subject.ip ?? '0.0.0.0',
      port: subject.port,
      ips: subject.ip === null ? ['0.0.0.0', '::'] : [subject.ip],
    },
    engine: engineLine(snap),
    verdict,
    holders,
    findings: ranked as Finding[],
    inconclusive,
    symptom,
    collectionErrors,
    ...pathSummaries(snap, subject),
  };
}

/** The contract's exit codes: 0 nothing wrong, 1 a conflict or hazard, 3 could not decide. */
export function exitCodeOf(d: Diagnosis): 0 | 1 | 3 {
  if (d.verdict.cause === 'unknown') return 3;
  if (d.verdict.cause === 'port-free') return d.findings.some((f) => f.severity !== 'info') ? 1 : 0;
  return 1;
}
