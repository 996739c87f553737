// The error the user saw, read by the same classifier as `explain`, as a diagnosis input.
import { explain, primary } from './explain/explain.js';
import type { ExplainContext } from './explain/patterns.js';
import type { Symptom } from './model.js';

export function symptomFrom(text: string, ctx: ExplainContext = {}): Symptom | null {
  const p = primary(explain(text, ctx));
  if (!p) return null;
  return {
    text: p.excerpt,
    stage: p.stage,
    proto: p.subject.proto,
    ip: p.subject.ip,
    port: p.subject.port,
    family: p.subject.family,
    patternId: p.pattern ?? 'unknown',
  };
}
