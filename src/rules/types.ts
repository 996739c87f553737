import type { Cause, FactKey, Finding, Snapshot, Subject, Symptom } from '../model.js';
import type { SnapshotIndex } from '../snapshot/index.js';

export interface RuleContext {
  readonly snap: Snapshot;
  readonly subject: Subject;
  readonly symptom: Symptom | null;
  readonly index: SnapshotIndex;
}

export type FindingDraft = Omit<Finding, 'rule'>;

export interface Rule {
  readonly meta: {
    /** kebab-case, the file name; never reused */
    readonly id: string;
    /** the verdict cause this rule can produce */
    readonly cause: Cause;
    readonly description: string;
    /** facts without which the rule cannot say anything: it is inconclusive, never clear */
    readonly requires: readonly FactKey[];
    /** at least one of these must be readable; the unreadable ones are reported as blind spots */
    readonly anyOf?: readonly FactKey[];
  };
  check(ctx: RuleContext): readonly FindingDraft[];
}
