import type { Snapshot } from '../../model.js';
import type { ComposeProject, LintProblem, LintSeverity } from '../types.js';

export interface ComposeLintContext {
  readonly projects: readonly ComposeProject[];
  /** with --against-host: what this host already has */
  readonly host: Snapshot | null;
}

export type ProblemDraft = Omit<LintProblem, 'severity' | 'rule'>;

export interface ComposeRule {
  readonly meta: {
    readonly id: string;
    readonly severity: LintSeverity;
    readonly description: string;
    readonly needsHost?: boolean;
  };
  check(ctx: ComposeLintContext): ProblemDraft[];
}

export const allBindings = (ctx: ComposeLintContext) =>
  ctx.projects.flatMap((p) => p.services.flatMap((s) => s.bindings.map((b) => ({ b, s }))));
