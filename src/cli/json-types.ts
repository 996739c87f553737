// The shape of every `--json` output (and of the files portdoctor writes), one named type each.
// scripts/gen-schemas.mjs turns these into schemas/*.schema.json with ts-json-schema-generator; the
// commands check what they print against them (`satisfies`), and the tests validate every output they see.
import type { Explanation } from '../explain/explain.js';
import type { ErrorSubject } from '../explain/subject.js';
import type { Cause, Diagnosis, Plan, Proto, Snapshot, Subject } from '../model.js';
import type { Walk } from '../path/types.js';
import type { PortEntry } from '../portmap.js';
import type { ApplyResult, Journal } from '../remedy/execute.js';
import type { WatchLine } from '../watch/watcher.js';

/** `portdoctor diagnose PORT --json` */
export type DiagnoseJson = Diagnosis & {
  /** the plans `fix` would print for this diagnosis */
  readonly remedies: readonly Plan[];
};

/** The top level of `explain --json` when nothing was recognised (exit 3). */
export interface UnrecognisedJson {
  readonly stage: 'other';
  readonly subject: ErrorSubject;
  readonly engine: { readonly product: 'unknown'; readonly wording: readonly string[] };
  readonly meaning: string;
  readonly next: readonly string[];
  readonly conflict: false;
  readonly pattern: null;
}

/** `portdoctor explain TEXT --json`: the primary explanation at the top level, then all of them. */
export type ExplainJson = (Explanation | UnrecognisedJson) & {
  readonly explanations: readonly Explanation[];
};

/** `portdoctor fix PORT --json` (no --apply): the plan, nothing run. */
export interface FixPlanJson {
  readonly subject: Diagnosis['subject'];
  readonly cause: Cause;
  readonly summary: string;
  /** the nearest port this collection saw free, or null */
  readonly freePort: number | null;
  /** the compose edit, when the error named a compose service */
  readonly composeEdit: string | null;
  readonly plans: readonly Plan[];
}

/** What `fix --apply` ran: the first plan's title, rule and step count, and the executor's result. */
export type AppliedJson = ApplyResult & {
  readonly title: string;
  readonly rule: string;
  readonly steps: number;
};

/** `portdoctor fix PORT --apply --yes --json` */
export type FixApplyJson =
  | {
      readonly subject: Diagnosis['subject'];
      readonly cause: Cause;
      readonly summary: string;
      /** null: nothing was run (nothing to do, or only suggestions) */
      readonly applied: AppliedJson | null;
      /** the diagnosis after the fix ran; null when it did not run to the end */
      readonly now: { readonly cause: Cause; readonly summary: string } | null;
    }
  | {
      /** another fix holds the host-wide lock (exit 3): nothing was collected or run */
      readonly subject: Subject;
      readonly applied: null;
      readonly refused: string;
    };

/** `portdoctor fix --undo --json` */
export interface FixUndoJson {
  /** inverse steps that ran and exited 0 */
  readonly undone: number;
  /** the applied fix undone (its journal, start time and plan); null when there was none */
  readonly of: { readonly path: string; readonly started: string; readonly plan: string } | null;
  /** the journal of this undo; null when nothing was started */
  readonly journal: string | null;
  /** every inverse step started, as run, with its exit code (null: no result) */
  readonly entries: readonly { readonly argv: readonly string[]; readonly code: number | null }[];
  readonly skipped: readonly string[];
  /** a re-check that failed before an inverse step (e.g. the rule's target is live again), or the lock */
  readonly refused: string | null;
  readonly failed: string | null;
  /** the last applied fix was undone already: by which journal, when (nothing ran) */
  readonly alreadyUndone: { readonly path: string; readonly started: string } | null;
  /** files of the journal directory not trusted, with why */
  readonly ignored: readonly string[];
}

/** `portdoctor ports --json` */
export interface PortsJson {
  readonly ports: readonly PortEntry[];
  /** false: some fact could not be read (see missing) */
  readonly complete: boolean;
  readonly missing: readonly string[];
}

/** `portdoctor trace PORT --json` */
export interface TraceJson {
  readonly schema: 'portdoctor.trace/1';
  readonly walks: readonly Walk[];
}

/** One line of `portdoctor watch --json` (JSON Lines: one object per line). */
export type WatchLineJson = WatchLine;

/** One problem of `portdoctor lint --json` (positions are 1-based; end exclusive). */
export interface LintProblemJson {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly rule: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly data: {
    readonly proto?: Proto;
    readonly hostIp?: string | null;
    readonly port?: number;
    readonly services?: readonly string[];
    readonly [k: string]: unknown;
  };
  /** with --fix: the edit that moves the host port */
  readonly fix?: { readonly offset: number; readonly length: number; readonly text: string };
}

/** `portdoctor lint --json` */
export interface LintJson {
  readonly files: readonly string[];
  readonly problems: readonly LintProblemJson[];
}

/** `portdoctor collect --out FILE`: the redacted snapshot `diagnose --from` replays. */
export type SnapshotJson = Snapshot;

/** A fix journal in $PORTDOCTOR_STATE_DIR/journal/ (what `fix --undo` replays). */
export type JournalJson = Journal;
