// Validate what portdoctor prints against the schemas it ships (schemas/, from src/cli/json-types.ts)
// and SARIF against the OASIS SARIF 2.1.0 schema (test/fixtures/sarif/). runCli and the live helper
// call outputKind + validateOutput on every --json run, so every output the suite sees is checked.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const ROOT = new URL('../../', import.meta.url).pathname;

export type OutputKind =
  | 'diagnose'
  | 'explain'
  | 'fix-plan'
  | 'fix-apply'
  | 'fix-undo'
  | 'ports'
  | 'trace'
  | 'watch-line'
  | 'lint'
  | 'snapshot'
  | 'journal'
  | 'sarif';

let compiled: Map<OutputKind, ValidateFunction> | null = null;

function validators(): Map<OutputKind, ValidateFunction> {
  if (compiled) return compiled;
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats.default(ajv);
  const m = new Map<OutputKind, ValidateFunction>();
  for (const f of readdirSync(join(ROOT, 'schemas')).filter((x) => x.endsWith('.schema.json'))) {
    const s = JSON.parse(readFileSync(join(ROOT, 'schemas', f), 'utf8')) as object;
    m.set(f.replace(/\.schema\.json$/, '') as OutputKind, ajv.compile(s));
  }
  // the SARIF schema is draft-04 (`id`), which Ajv 8 reads only through ajv-draft-04
  const sarifAjv = new AjvDraft04.default({ allErrors: true, strict: false });
  addFormats.default(sarifAjv);
  const sarif = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/sarif/sarif-schema-2.1.0.json'), 'utf8')) as object;
  m.set('sarif', sarifAjv.compile(sarif));
  compiled = m;
  return m;
}

export class SchemaViolation extends Error {}

/** Throws SchemaViolation naming each path that does not fit; returns the value when it does. */
export function validateOutput<T = unknown>(kind: OutputKind, value: unknown): T {
  const v = validators().get(kind);
  if (!v) throw new Error(`no schema for ${kind}: run npm run gen:schemas`);
  if (!v(value)) {
    const errs = (v.errors ?? [])
      .slice(0, 12)
      .map((e) => `  ${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
      .join('\n');
    throw new SchemaViolation(`output does not fit schemas/${kind}.schema.json:\n${errs}`);
  }
  return value as T;
}

/** Parse printed JSON and validate it (watch-line: every line of JSON Lines). */
export function parseOutput<T = unknown>(kind: OutputKind, text: string): T {
  if (kind === 'watch-line') {
    return text
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => validateOutput(kind, JSON.parse(l))) as T;
  }
  return validateOutput<T>(kind, JSON.parse(text));
}

/** Which schema a command line's stdout follows, or null when it prints no JSON. */
export function outputKind(args: readonly string[]): OutputKind | null {
  const a = args[0] === 'portdoctor' ? args.slice(1) : args; // the docker CLI plugin calls us so
  const cmd = a.find((x) => !x.startsWith('-'));
  const has = (f: string) => a.includes(f);
  const format =
    a.find((x, i) => a[i - 1] === '--format' || a[i - 1] === '-F') ?? /--format=(\S+)/.exec(a.join(' '))?.[1];
  const json = has('--json');
  switch (cmd) {
    case 'diagnose':
      return json ? 'diagnose' : null;
    case 'explain':
      return json ? 'explain' : null;
    case 'fix':
      if (!json) return null;
      return has('--undo') ? 'fix-undo' : has('--apply') ? 'fix-apply' : 'fix-plan';
    case 'ports':
      return json ? 'ports' : null;
    case 'trace':
      return json ? 'trace' : null;
    case 'watch':
      return json ? 'watch-line' : null;
    case 'lint':
      if (format === 'sarif' || has('--sarif')) return 'sarif';
      return json || format === 'json' ? 'lint' : null;
    default:
      return null;
  }
}

/**
 * Validate a finished CLI run's stdout when the command prints JSON there. A run that printed
 * nothing on stdout (a usage error, exit 2) has nothing to check.
 */
export function checkCliOutput(args: readonly string[], stdout: string): void {
  const kind = outputKind(args);
  if (!kind || !stdout.trim()) return;
  // `lint --fix --format json` prints the diff on stderr: stdout is JSON alone
  parseOutput(kind, stdout);
}
