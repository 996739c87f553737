// What a remedy module is: for one cause, the plans that answer a finding of it, as data.
import type { Container, Diagnosis, Finding, Plan, Snapshot } from '../../model.js';

export interface RemedyContext {
  readonly diagnosis: Diagnosis;
  readonly snap: Snapshot;
  /** running or paused containers: what a daemon restart would disrupt */
  readonly live: readonly Container[];
  /** a host port the snapshot shows free, to suggest moving to (nearestFreePort); null: none proven */
  readonly freePort: number | null;
}

export type Remedy =
  /** plans for a finding of this cause, most specific first; [] when the finding lacks what they need */
  | { readonly plans: (f: Finding, ctx: RemedyContext) => Plan[] }
  /** no plan exists for this cause (yet): why, for readers of the table and of docs */
  | { readonly none: string };
