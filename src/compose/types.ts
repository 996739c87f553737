import type { Proto } from '../model.js';

export interface SourceRange {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
}

/** One published port of one service, as dockerd will key it. */
export interface ComposeBinding {
  readonly project: string;
  readonly service: string;
  readonly file: string;
  readonly proto: Proto;
  /** null = Docker's default (0.0.0.0 and ::) */
  readonly hostIp: string | null;
  /** 'ephemeral' = a container port only ("8080"): Docker picks a free host port */
  readonly hostPort: { readonly start: number; readonly end: number } | 'ephemeral';
  readonly containerPort: { readonly start: number; readonly end: number };
  readonly at: SourceRange;
  /** where the host port digits sit in the file (for --fix), when they are literal */
  readonly hostPortSpan: { readonly offset: number; readonly length: number } | null;
  /** from network_mode: host (the app binds directly) rather than `ports:` */
  readonly hostNetwork: boolean;
  readonly raw: string;
}

export interface ComposeService {
  readonly project: string;
  readonly name: string;
  readonly file: string;
  readonly at: SourceRange;
  readonly replicas: number;
  readonly replicasAt: SourceRange | null;
  readonly networkMode: string | null;
  readonly image: string | null;
  readonly profiles: readonly string[];
  readonly bindings: readonly ComposeBinding[];
}

export interface ComposeProject {
  readonly name: string;
  readonly files: readonly string[];
  readonly services: readonly ComposeService[];
}

export type LintSeverity = 'error' | 'warning';

export interface LintProblem extends SourceRange {
  readonly rule: string;
  readonly severity: LintSeverity;
  /** which of the rule's messages (src/compose/rules/messages.ts); loader problems have none */
  readonly messageId?: string;
  readonly message: string;
  readonly data: {
    readonly proto?: Proto;
    readonly hostIp?: string | null;
    readonly port?: number;
    readonly services?: readonly string[];
    readonly [k: string]: unknown;
  };
  /** a proposed edit (from --fix) */
  readonly fix?: { readonly offset: number; readonly length: number; readonly text: string };
}
