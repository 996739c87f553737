// Human output: the verdict first in one plain sentence, then evidence, then fix commands.
import type { Diagnosis, Plan, Step } from '../../model.js';
import { colorEnabled, outputWidth, visibleLength, wrapLine } from '../output.js';
import { CAUSE_TONE } from './causes.js';
import { escapeControl, escapeControlForShell, hasControl } from '../../util/escape.js';

/** Host-controlled text as shown to a human: control characters escaped (src/util/escape.ts). */
export const safe = escapeControl;

const c = (code: string, s: string): string => (colorEnabled() ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = (s: string): string => c('1', s);
export const red = (s: string): string => c('31', s);
export const yellow = (s: string): string => c('33', s);
export const green = (s: string): string => c('32', s);
export const dim = (s: string): string => c('2', s);

/** Quote argv for display only (the executor never goes through a shell). */
export function shellQuote(argv: readonly string[]): string {
  return argv
    .map((a) =>
      /^[\w@%+=:,./-]+$/.test(a)
        ? a
        : // bash's $'…' keeps a control character as an escape that copies and pastes safely
          hasControl(a)
          ? `$'${escapeControlForShell(a.replace(/\\/g, '\\\\').replace(/'/g, "\\'"))}'`
          : `'${a.replace(/'/g, `'\\''`)}'`,
    )
    .join(' ');
}

export function renderStep(s: Step): string {
  return `${shellQuote(s.argv)}   ${dim(`# ${safe(s.why)}`)}`;
}

/** A command line is never wrapped (a newline inside it breaks copy-paste); its comment moves below it instead. */
const isCommand = (line: string): boolean => /^\s*\$ /.test(line);

function stepLines(s: Step, indent: string, width: number): string[] {
  const one = `${indent}$ ${renderStep(s)}`;
  if (visibleLength(one) <= width) return [one];
  return [`${indent}$ ${shellQuote(s.argv)}`, wrapLine(`${indent}  ${dim(`# ${safe(s.why)}`)}`, width, 2)];
}

export function renderPlans(plans: readonly Plan[], width = outputWidth()): string[] {
  const out: string[] = [];
  const w = (l: string): string => wrapLine(l, width, 4);
  for (const p of plans) {
    out.push(w(`  ${p.safety === 'fix' ? green('[fix]') : yellow('[suggest]')} ${safe(p.title)}`));
    for (const s of p.steps) for (const l of stepLines(s, '      ', width)) out.push(l);
    if (p.disrupts.length) out.push(w(`      ${yellow('disrupts:')} ${safe(p.disrupts.join(', '))}`));
    for (const x of p.warnings) out.push(w(`      ${yellow('warning:')} ${safe(x)}`));
  }
  return out;
}

export function renderDiagnosis(d: Diagnosis, plans: readonly Plan[], width = outputWidth()): string {
  const lines: string[] = [];
  const v = d.verdict;
  const color = { problem: red, undecided: yellow, clear: green }[CAUSE_TONE[v.cause]];
  lines.push(`${bold(color(v.cause))} (${v.confidence}): ${safe(v.summary)}`);
  lines.push(dim(`  ${d.subject.ips.join(' + ')} port ${d.subject.port}/${d.subject.proto} on ${safe(d.engine)}`));
  const main = d.findings.filter((f) => f.severity !== 'info');
  if (main.length) {
    lines.push('', bold('Evidence'));
    for (const f of main) {
      lines.push(`  ${f.severity === 'error' ? red('●') : yellow('●')} ${safe(f.message)}`);
      for (const e of f.evidence) lines.push(`      ${dim(`[${e.fact}]`)} ${safe(e.says)}`);
    }
  }
  const info = d.findings.filter((f) => f.severity === 'info');
  if (info.length) {
    lines.push('', bold('Also'));
    for (const f of info) lines.push(`  ${dim('○')} ${safe(f.message)}`);
  }
  if (d.paths?.length) {
    lines.push('', bold('Paths') + dim(' (from the rule sets; `portdoctor trace` shows each hop)'));
    for (const p of d.paths)
      lines.push(
        `  ${p.reaches === true ? green('✓') : p.reaches === false ? red('✗') : yellow('?')} from ${safe(p.from)}: ${safe(p.outcome)}`,
      );
    lines.push(
      dim(
        '  a client inside a container that connects to localhost reaches that container itself: use host.docker.internal (--add-host=host.docker.internal:host-gateway) or the network gateway IP',
      ),
    );
  }
  if (d.symptom)
    lines.push('', `${bold('Your error')} came from the ${d.symptom.stage} stage (${d.symptom.patternId}).`);
  if (plans.length) {
    lines.push('', `${bold('Fix')} ${dim('(printed, not run: `portdoctor fix` plans and applies the safe ones)')}`);
    // not push(...): 300,000 holders make as many lines, past the argument limit of a call
    for (const l of renderPlans(plans, width)) lines.push(l);
  }
  if (d.inconclusive.length || d.collectionErrors.length) {
    lines.push('', bold('Could not check'));
    for (const e of d.collectionErrors) lines.push(`  ${yellow('?')} ${e.fact}: ${safe(e.message)}`);
    for (const i of d.inconclusive)
      if (i.missing.length === 0 || !d.collectionErrors.length)
        lines.push(`  ${yellow('?')} ${i.rule}: ${safe(i.why)}`);
  }
  return lines
    .join('\n')
    .split('\n')
    .map((l) => (isCommand(l) ? l : wrapLine(l, width, /^\s*(\x1b\[[0-9;]*m)?[●○?]/.test(l) ? 4 : 2)))
    .join('\n');
}
