// Remedies as data: for each finding, the plans of its cause's remedy module (src/remedy/remedies/).
// Pure; nothing here runs. Argv arrays only (never shell strings); the executor at the edge runs them.
import type { Diagnosis, Plan, Snapshot } from '../model.js';
import { IDLE_CONTAINER_RULE } from './remedies/container.js';
import { REMEDIES } from './remedies/index.js';

export interface PlanOptions {
  /** a host port the snapshot shows free, to suggest moving to (nearestFreePort) */
  readonly freePort?: number | null;
}

export function planRemedies(d: Diagnosis, snap: Snapshot, opts: PlanOptions = {}): Plan[] {
  const live = snap.containers.ok
    ? snap.containers.value.filter((c) => c.state === 'running' || c.state === 'paused')
    : [];
  const ctx = { diagnosis: d, snap, live, freePort: opts.freePort ?? null };
  const plans: Plan[] = [];
  for (const f of d.findings) {
    if (f.severity === 'info' && f.rule !== IDLE_CONTAINER_RULE) continue;
    const remedy = REMEDIES[f.cause];
    if ('plans' in remedy) plans.push(...remedy.plans(f, ctx));
  }
  // one way around per diagnosis: two findings on the same port would print it twice
  return plans.filter(
    (p, i) => p.remedy !== 'publish-elsewhere' || plans.findIndex((q) => q.remedy === p.remedy) === i,
  );
}
