import type { Snapshot } from '../../model.js';
import type { ComposeProject, LintProblem, LintSeverity } from '../types.js';

export interface ComposeLintContext {
  readonly projects: readonly ComposeProject[];
  /** with --against-host: what this host already has */
  readonly host: Snapshot | null;
}

/** What a rule reports: src/compose/lint.ts adds the rule id and severity and renders the message. */
export type ProblemDraft<M extends string = string> = Omit<
  LintProblem,
  'severity' | 'rule' | 'message' | 'messageId'
> & {
  /** a key of meta.messages; its placeholders are filled from data */
  readonly messageId: M;
};

export interface ComposeRule<Id extends string = string, M extends string = string> {
  readonly meta: {
    /** kebab-case, the file name; never reused */
    readonly id: Id;
    readonly severity: LintSeverity;
    readonly description: string;
    readonly needsHost?: boolean;
    /** messageId → template (the rule's entry in src/compose/rules/messages.ts) */
    readonly messages: Readonly<Record<M, string>>;
  };
  check(ctx: ComposeLintContext): ProblemDraft<M>[];
}

/** Declares a compose rule and keeps its id and messageIds literal types (a misspelt messageId fails to compile). */
export const defineComposeRule = <const Id extends string, M extends string>(
  rule: ComposeRule<Id, M>,
): ComposeRule<Id, M> => rule;

export const allBindings = (ctx: ComposeLintContext) =>
  ctx.projects.flatMap((p) => p.services.flatMap((s) => s.bindings.map((b) => ({ b, s }))));
