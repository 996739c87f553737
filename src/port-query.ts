// Narrow questions about one host port, for callers that need less than a diagnosis (the compose
// linter, --suggest-port): the rules' findings, ranked, and whether the port is free. diagnose()
// builds its verdict on the same two functions, so their answers cannot drift from its own.
import type { Finding, Inconclusive, Snapshot, Subject, Symptom } from './model.js';
import { runRules } from './rules/engine.js';
import { rules } from './rules/index.js';
import { NEEDED_FOR_FREE, rankFindings } from './verdict.js';

export interface PortFindings {
  /** most decisive first, the order diagnose() gives them */
  readonly findings: Finding[];
  readonly inconclusive: Inconclusive[];
}

export function portFindings(snap: Snapshot, subject: Subject, symptom: Symptom | null = null): PortFindings {
  const { findings, inconclusive } = runRules(snap, subject, symptom, rules);
  return { findings: rankFindings(findings, symptom), inconclusive };
}

/**
 * Would `docker run -p` get this port, with nothing else wanting it? No finding at all (not even an
 * idle container that would claim it on start), and every fact needed to say "free" was read.
 */
export function isPortFree(snap: Snapshot, subject: Subject): boolean {
  return portFindings(snap, subject).findings.length === 0 && NEEDED_FOR_FREE.every((k) => snap[k].ok);
}
