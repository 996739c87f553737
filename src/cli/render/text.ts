// Human output: the verdict first in one plain sentence, then evidence, then fix commands.
import type { Diagnosis, Plan, Step } from '../../model.js';
import { CAUSE_TONE } from './causes.js';

const useColor = (): boolean => Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const c = (code: string, s: string): string => (useColor() ? `\x1b[${code}m${s}\x1b[0m` : s);
export const bold = (s: string): string => c('1', s);
export const red = (s: string): string => c('31', s);
export const yellow = (s: string): string => c('33', s);
export const green = (s: string): string => c('32', s);
export const dim = (s: string): string => c('2', s);

/** Quote argv for display only (the executor never goes through a shell). */
export function shellQuote(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function renderStep(s: Step): string {
  return `${shellQuote(s.argv)}   ${dim(`# ${s.why}`)}`;
}

export function renderPlans(plans: readonly Plan[]): string[] {
  const out: string[] = [];
  for (const p of plans) {
    out.push(`  ${p.safety === 'fix' ? green('[fix]') : yellow('[suggest]')} ${p.title}`);
    for (const s of p.steps) out.push(`      $ ${renderStep(s)}`);
    if (p.disrupts.length) out.push(`      ${yellow('disrupts:')} ${p.disrupts.join(', ')}`);
    for (const w of p.warnings) out.push(`      ${yellow('warning:')} ${w}`);
  }
  return out;
}

export function renderDiagnosis(d: Diagnosis, plans: readonly Plan[]): string {
  const lines: string[] = [];
  const v = d.verdict;
  const color = { problem: red, undecided: yellow, clear: green }[CAUSE_TONE[v.cause]];
  lines.push(`${bold(color(v.cause))} (${v.confidence}): ${v.summary}`);
  lines.push(dim(`  ${d.subject.ips.join(' + ')} port ${d.subject.port}/${d.subject.proto} on ${d.engine}`));
  const main = d.findings.filter((f) => f.severity !== 'info');
  if (main.length) {
    lines.push('', bold('Evidence'));
    for (const f of main) {
      lines.push(`  ${f.severity === 'error' ? red('●') : yellow('●')} ${f.message}`);
      for (const e of f.evidence) lines.push(`      ${dim(`[${e.fact}]`)} ${e.says}`);
    }
  }
  const info = d.findings.filter((f) => f.severity === 'info');
  if (info.length) {
    lines.push('', bold('Also'));
    for (const f of info) lines.push(`  ${dim('○')} ${f.message}`);
  }
  if (d.symptom)
    lines.push('', `${bold('Your error')} came from the ${d.symptom.stage} stage (${d.symptom.patternId}).`);
  if (plans.length) {
    lines.push('', `${bold('Fix')} ${dim('(printed, not run: `portdoctor fix` plans and applies the safe ones)')}`);
    lines.push(...renderPlans(plans));
  }
  if (d.inconclusive.length || d.collectionErrors.length) {
    lines.push('', bold('Could not check'));
    for (const e of d.collectionErrors) lines.push(`  ${yellow('?')} ${e.fact}: ${e.message}`);
    for (const i of d.inconclusive)
      if (i.missing.length === 0 || !d.collectionErrors.length) lines.push(`  ${yellow('?')} ${i.rule}: ${i.why}`);
  }
  return lines.join('\n');
}
