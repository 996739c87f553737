// Lint compose projects: build each project, run the rules, apply inline disables and the config's
// levels, and (with fix) propose the nearest free host port as a text edit. Pure.
import type { Snapshot } from '../model.js';
import { isPortFree } from '../port-query.js';
import { bindingsCollide } from './overlap.js';
import { buildProject, type ProjectInput } from './project.js';
import { composeRules } from './rules/index.js';
import type { ComposeBinding, ComposeProject, LintProblem, LintSeverity } from './types.js';
import { formatMessage, type MessageData } from '../util/message.js';

/** The scalar part of a problem's data: what a message template can read. */
function textData(data: LintProblem['data']): MessageData {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(data))
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
  return out;
}

export interface LintConfig {
  /** rule id → 'off' | 'warning' | 'error' */
  readonly rules?: Readonly<Record<string, 'off' | LintSeverity>>;
}

export interface LintOptions {
  readonly config?: LintConfig;
  readonly host?: Snapshot | null;
  readonly fix?: boolean;
}

export interface LintResult {
  readonly files: readonly string[];
  readonly projects: readonly ComposeProject[];
  readonly problems: readonly LintProblem[];
  readonly texts: ReadonlyMap<string, string>;
}

/** `# portdoctor-disable-line RULE[, RULE]`, `# portdoctor-disable-next-line RULE`, `# portdoctor-disable-file RULE` (no RULE: all) */
export function disabledBy(text: string): (rule: string, line: number) => boolean {
  const lines = text.split('\n');
  const byLine = new Map<number, Set<string> | 'all'>();
  const file = new Set<string>();
  let fileAll = false;
  const add = (line: number, rules: string | undefined): void => {
    const list = (rules ?? '').split(/[\s,]+/).filter(Boolean);
    if (!list.length) {
      byLine.set(line, 'all');
      return;
    }
    const cur = byLine.get(line);
    if (cur === 'all') return;
    const s = cur ?? new Set<string>();
    for (const r of list) s.add(r);
    byLine.set(line, s);
  };
  lines.forEach((l, i) => {
    const m = /#\s*portdoctor-disable-(line|next-line|file)\b([^#]*)/.exec(l);
    if (!m) return;
    if (m[1] === 'line') add(i + 1, m[2]);
    else if (m[1] === 'next-line') add(i + 2, m[2]);
    else {
      const list = (m[2] ?? '').split(/[\s,]+/).filter(Boolean);
      if (!list.length) fileAll = true;
      for (const r of list) file.add(r);
    }
  });
  return (rule, line) => {
    if (fileAll || file.has(rule)) return true;
    const s = byLine.get(line);
    return s === 'all' || (s instanceof Set && s.has(rule));
  };
}

function freePortFor(
  b: ComposeBinding,
  all: readonly ComposeBinding[],
  host: Snapshot | null,
  taken: Set<string>,
): number | null {
  if (b.hostPort === 'ephemeral' || b.hostPort.start !== b.hostPort.end) return null;
  const start = b.hostPort.start;
  for (let d = 1; d <= 200; d++) {
    for (const port of [start + d, start - d]) {
      if (port < 1024 || port > 65535 || taken.has(`${b.proto}/${port}`)) continue;
      const probe: ComposeBinding = { ...b, hostPort: { start: port, end: port } };
      if (all.some((o) => o !== b && bindingsCollide(o, probe) !== null)) continue;
      if (host && !isPortFree(host, { proto: b.proto, ip: b.hostIp, port })) continue;
      taken.add(`${b.proto}/${port}`);
      return port;
    }
  }
  return null;
}

/** The projects as Compose would run them, with the loader's problems; built once, linted once or more. */
export interface BuiltProjects {
  readonly projects: readonly ComposeProject[];
  readonly problems: readonly LintProblem[];
  readonly texts: ReadonlyMap<string, string>;
  readonly firstFile: string;
}

export function buildProjects(inputs: readonly ProjectInput[]): BuiltProjects {
  const problems: LintProblem[] = [];
  const projects: ComposeProject[] = [];
  const texts = new Map<string, string>();
  for (const input of inputs) {
    const r = buildProject(input);
    projects.push(r.project);
    problems.push(...r.problems);
    for (const f of input.files) if (!r.hidden.has(f.path)) texts.set(f.path, f.text);
    for (const [path, p] of r.parsed) texts.set(path, p.text);
  }
  return { projects, problems, texts, firstFile: inputs[0]?.files[0]?.path ?? '' };
}

export function lintProjects(inputs: readonly ProjectInput[], o: LintOptions = {}): LintResult {
  return lintBuilt(buildProjects(inputs), o);
}

export function lintBuilt(built: BuiltProjects, o: LintOptions = {}): LintResult {
  const { projects, texts } = built;
  const problems: LintProblem[] = [...built.problems];
  const ctx = { projects, host: o.host ?? null };
  for (const rule of composeRules) {
    if (rule.meta.needsHost && !ctx.host) continue;
    try {
      const messages: Readonly<Record<string, string>> = rule.meta.messages;
      for (const d of rule.check(ctx))
        problems.push({
          ...d,
          rule: rule.meta.id,
          severity: rule.meta.severity,
          message: formatMessage(messages[d.messageId] ?? d.messageId, textData(d.data)),
        });
    } catch (e) {
      problems.push({
        rule: rule.meta.id,
        severity: 'error',
        message: `rule crashed: ${(e as Error).message}`,
        data: {},
        file: built.firstFile,
        line: 1,
        column: 1,
        endLine: 1,
        endColumn: 1,
      });
    }
  }
  // levels from the config, then inline disables
  const disables = new Map<string, (rule: string, line: number) => boolean>();
  const kept: LintProblem[] = [];
  for (const p of problems) {
    const level = o.config?.rules?.[p.rule];
    if (level === 'off') continue;
    if (!disables.has(p.file)) disables.set(p.file, disabledBy(texts.get(p.file) ?? ''));
    if (disables.get(p.file)?.(p.rule, p.line)) continue;
    kept.push(level ? { ...p, severity: level } : p);
  }
  // proposed edits: move the second of two clashing bindings to the nearest free port
  if (o.fix) {
    const all = projects.flatMap((pr) => pr.services.flatMap((s) => s.bindings));
    const taken = new Set<string>();
    for (const [i, p] of kept.entries()) {
      if (p.rule !== 'duplicate-host-port' && p.rule !== 'host-port-in-use') continue;
      const b = all.find((x) => x.file === p.file && x.at.line === p.line && x.at.column === p.column);
      if (!b?.hostPortSpan) continue;
      const port = freePortFor(b, all, o.host ?? null, taken);
      if (port !== null)
        kept[i] = { ...p, fix: { offset: b.hostPortSpan.offset, length: b.hostPortSpan.length, text: String(port) } };
    }
  }
  kept.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return { files: [...new Set(projects.flatMap((p) => p.files))], projects, problems: kept, texts };
}

/** apply the proposed edits to each file's text (right to left so offsets stay valid) */
export function applyFixes(r: LintResult): Map<string, string> {
  const out = new Map<string, string>();
  const byFile = new Map<string, NonNullable<LintProblem['fix']>[]>();
  for (const p of r.problems)
    if (p.fix) {
      if (!byFile.has(p.file)) byFile.set(p.file, []);
      byFile.get(p.file)?.push(p.fix);
    }
  for (const [file, fixes] of byFile) {
    let t = r.texts.get(file) ?? '';
    for (const f of [...fixes].sort((a, b) => b.offset - a.offset))
      t = t.slice(0, f.offset) + f.text + t.slice(f.offset + f.length);
    out.set(file, t);
  }
  return out;
}
