import type { Cause, FactKey, Finding, Snapshot, Subject, Symptom } from '../model.js';
import type { SnapshotIndex } from '../snapshot/index.js';

export interface RuleContext {
  readonly snap: Snapshot;
  readonly subject: Subject;
  readonly symptom: Symptom | null;
  readonly index: SnapshotIndex;
}

/** What a rule reports: the engine adds the rule id and cause (from meta) and renders the message. */
export type FindingDraft<M extends string = string> = Omit<Finding, 'rule' | 'cause' | 'message' | 'messageId'> & {
  /** a key of meta.messages; its placeholders are filled from data */
  readonly messageId: M;
};

export interface Rule<Id extends string = string, M extends string = string> {
  readonly meta: {
    /** kebab-case, the file name; never reused */
    readonly id: Id;
    /** the verdict cause this rule can produce */
    readonly cause: Cause;
    readonly description: string;
    /** facts without which the rule cannot say anything: it is inconclusive, never clear */
    readonly requires: readonly FactKey[];
    /** at least one of these must be readable; the unreadable ones are reported as blind spots */
    readonly anyOf?: readonly FactKey[];
    /** messageId → template (the rule's entry in src/rules/messages.ts) */
    readonly messages: Readonly<Record<M, string>>;
  };
  check(ctx: RuleContext): readonly FindingDraft<M>[];
}

/**
 * Declares a rule and keeps its id a literal type, so `RuleId` (src/rules/index.ts) is the union of
 * the registered ids and a misspelt id anywhere fails to compile.
 */
export const defineRule = <const Id extends string, M extends string>(rule: Rule<Id, M>): Rule<Id, M> => rule;
