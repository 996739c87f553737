// The subject of a question: what the user asked, sharpened by the error they saw. Apart from the
// rules so that `diagnose` knows which ports to collect before the rules' modules are even loaded.
import type { Proto, Subject, Symptom } from './model.js';

export interface Question {
  readonly proto?: Proto | null;
  readonly ip?: string | null;
  readonly port?: number | null;
  readonly symptom?: Symptom | null;
}

/** The subject: what the user asked, sharpened by what the error says (a port in the error is enough). */
export function resolveSubject(q: Question): Subject | null {
  const s = q.symptom ?? null;
  const port = q.port ?? s?.port ?? null;
  if (port === null) return null;
  const proto = q.proto ?? s?.proto ?? 'tcp';
  const ip = q.ip ?? (s && s.port === port ? s.ip : null);
  return { proto, ip, port };
}
