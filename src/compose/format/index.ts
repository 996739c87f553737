// Output formats: human (grouped by file, with a code frame), json, sarif (GitHub code scanning),
// github (workflow annotations).
import type { LintResult } from '../lint.js';
import type { LintProblem } from '../types.js';

export { formatSarif, type SarifOptions } from './sarif.js';

export type LintFormat = 'human' | 'json' | 'sarif' | 'github';

function frame(text: string, p: LintProblem, color: boolean): string {
  const lines = text.split('\n');
  const l = lines[p.line - 1] ?? '';
  const width = Math.max(1, (p.endLine === p.line ? p.endColumn : l.length + 1) - p.column);
  const gutter = String(p.line).padStart(4);
  const caret = `${' '.repeat(p.column - 1)}${'^'.repeat(width)}`;
  return `  ${gutter} | ${l}\n       | ${color ? `\x1b[31m${caret}\x1b[0m` : caret}`;
}

export function formatHuman(r: LintResult, color = false): string {
  const out: string[] = [];
  const byFile = new Map<string, LintProblem[]>();
  for (const p of r.problems) {
    if (!byFile.has(p.file)) byFile.set(p.file, []);
    byFile.get(p.file)?.push(p);
  }
  for (const [file, ps] of byFile) {
    out.push(color ? `\x1b[4m${file}\x1b[0m` : file);
    for (const p of ps) {
      const sev =
        p.severity === 'error'
          ? color
            ? '\x1b[31merror\x1b[0m'
            : 'error'
          : color
            ? '\x1b[33mwarning\x1b[0m'
            : 'warning';
      out.push(`  ${p.line}:${p.column}  ${sev}  ${p.message}  ${color ? `\x1b[2m${p.rule}\x1b[0m` : p.rule}`);
      // no frame for a file whose bytes were not kept (not compose, refused): they are never shown
      const text = r.texts.get(file);
      if (text !== undefined) out.push(frame(text, p, color));
      if (p.fix)
        out.push(`       fix: host port → ${p.fix.text} (portdoctor lint --fix shows the diff, --write applies it)`);
    }
    out.push('');
  }
  const e = r.problems.filter((p) => p.severity === 'error').length;
  const w = r.problems.length - e;
  out.push(`${r.files.length} file(s), ${e} error(s), ${w} warning(s)`);
  return out.join('\n');
}

export function formatJson(r: LintResult): string {
  return JSON.stringify(
    {
      files: r.files,
      problems: r.problems.map((p) => ({
        file: p.file,
        line: p.line,
        column: p.column,
        endLine: p.endLine,
        endColumn: p.endColumn,
        rule: p.rule,
        severity: p.severity,
        message: p.message,
        data: p.data,
        ...(p.fix ? { fix: p.fix } : {}),
      })),
    },
    null,
    2,
  );
}

/** GitHub Actions workflow commands; %, CR, LF and (in properties) : , escaped as GitHub documents */
export function formatGithub(r: LintResult): string {
  const esc = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const prop = (s: string) => esc(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return r.problems
    .map(
      (p) =>
        `::${p.severity === 'error' ? 'error' : 'warning'} file=${prop(p.file)},line=${p.line},col=${p.column},endLine=${p.endLine},endColumn=${p.endColumn},title=${prop(p.rule)}::${esc(p.message)}`,
    )
    .join('\n');
}
