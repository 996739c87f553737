// SARIF 2.1.0 for GitHub code scanning. Beyond the schema, GitHub's ingestion wants (and
// test/unit/lint/sarif.test.ts checks): every rule with fullDescription, help (text and markdown)
// and helpUri; every result with partialFingerprints; locations relative to the repository root
// through a uriBaseId (%SRCROOT%), never to the directory lint happened to run in.
import { createHash } from 'node:crypto';
import { isAbsolute, posix, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArtifactLocation, Log, ReportingDescriptor, Result } from 'sarif';
import { lintRuleHelp, lintRuleInfo, ruleDocUrl } from '../../docs/pages.js';
import type { LintResult } from '../lint.js';
import type { LintProblem } from '../types.js';

export const SRCROOT = '%SRCROOT%';

export interface SarifOptions {
  /** the directory lint ran in (problem files are relative to it); default: srcRoot */
  readonly cwd?: string;
  /** the repository root the URIs are relative to (%SRCROOT%); default: the file paths as given */
  readonly srcRoot?: string;
}

const pascal = (id: string): string =>
  id
    .split('-')
    .map((w) => (w[0] ?? '').toUpperCase() + w.slice(1))
    .join('');

function artifact(file: string, o: SarifOptions): ArtifactLocation {
  if (file === '<stdin>') return { uri: 'stdin', uriBaseId: SRCROOT };
  if (!o.srcRoot) return { uri: encodeURI(file.split(sep).join('/')), uriBaseId: SRCROOT };
  const abs = resolve(o.cwd ?? o.srcRoot, file);
  const rel = relative(o.srcRoot, abs);
  // a file outside the repository cannot be named relative to it: an absolute file URI is all there is
  if (rel.startsWith('..') || isAbsolute(rel)) return { uri: pathToFileURL(abs).href };
  return { uri: encodeURI(rel.split(sep).join(posix.sep)), uriBaseId: SRCROOT };
}

/**
 * A fingerprint that survives lines moving: the rule, the file, the text of the problem's line
 * (whitespace-trimmed) and which occurrence of that same (rule, file, text) it is. Written like
 * GitHub's own primaryLocationLineHash (16 hex digits, ':', the occurrence).
 */
function fingerprints(r: LintResult, uris: readonly string[]): Record<string, string>[] {
  const seen = new Map<string, number>();
  return r.problems.map((p: LintProblem, i) => {
    const line = (r.texts.get(p.file) ?? '').split('\n')[p.line - 1]?.trim() ?? '';
    const key = createHash('sha256').update(`${p.rule}\0${uris[i]}\0${line}`).digest('hex').slice(0, 16);
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    return { primaryLocationLineHash: `${key}:${n}` };
  });
}

export function formatSarif(r: LintResult, version: string, o: SarifOptions = {}): string {
  const infos = lintRuleInfo();
  const index = new Map(infos.map((x, i) => [x.id, i]));
  const rules: ReportingDescriptor[] = infos.map((x) => ({
    id: x.id,
    name: pascal(x.id),
    shortDescription: { text: x.description },
    fullDescription: { text: `${x.description} ${x.doc.why}` },
    help: lintRuleHelp(x),
    helpUri: ruleDocUrl(x.id),
    defaultConfiguration: { level: x.severity },
    properties: { tags: ['docker', 'compose', 'ports'], precision: 'very-high' },
  }));
  const locs = r.problems.map((p) => artifact(p.file, o));
  const fps = fingerprints(
    r,
    locs.map((l) => l.uri ?? ''),
  );
  const results: Result[] = r.problems.map((p, i) => ({
    ruleId: p.rule,
    ...(index.has(p.rule) ? { ruleIndex: index.get(p.rule) } : {}),
    level: p.severity,
    message: { text: p.message },
    locations: [
      {
        physicalLocation: {
          artifactLocation: locs[i] as ArtifactLocation,
          region: { startLine: p.line, startColumn: p.column, endLine: p.endLine, endColumn: p.endColumn },
        },
      },
    ],
    partialFingerprints: fps[i] as Record<string, string>,
  }));
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'portdoctor',
            version,
            semanticVersion: version,
            informationUri: 'https://github.com/portdoctor/portdoctor',
            rules,
          },
        },
        // columns are JavaScript string offsets
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(log, null, 2);
}
