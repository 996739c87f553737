// The two promises of CONTRIBUTING.md, proved: an import against the layering fails `npm run lint`,
// and a cause added to the Cause union without its table entries fails to compile.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('layer boundaries are lint errors', () => {
  const eslint = new ESLint({ cwd: ROOT });
  const restricted = async (filePath: string, code: string): Promise<string[]> => {
    const [r] = await eslint.lintText(code, { filePath: `${ROOT}${filePath}` });
    return (r?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  };
  it.each([
    ['a rule reading the host', 'src/rules/zz-new-rule.ts', "import { readFileSync } from 'node:fs';"],
    [
      'a rule calling a collector',
      'src/rules/zz-new-rule.ts',
      "import { collectSnapshot } from '../collect/index.js';",
    ],
    ['the verdict importing the CLI', 'src/verdict.ts', "import { runDiagnose } from './cli/commands/diagnose.js';"],
    ['a collector judging', 'src/collect/zz-new.ts', "import { rules } from '../rules/index.js';"],
    ['a collector past host-io', 'src/collect/zz-new.ts', "import { execFile } from 'node:child_process';"],
    [
      'the snapshot layer calling a collector',
      'src/snapshot/io.ts',
      "import { collectHost } from '../collect/host.js';",
    ],
    ['the exporter running the executor', 'src/exporter/zz.ts', "import { applyPlan } from '../remedy/execute.js';"],
  ])('%s fails', async (_what, file, line) => {
    expect(await restricted(file, `${line}\nexport const x = 1;\n`)).toHaveLength(1);
  });
  it.each([
    ['the CLI', 'src/cli/zz.ts', "import { applyPlan } from '../remedy/execute.js';"],
    ['the host-I/O layer', 'src/collect/host-io.ts', "import { execFile } from 'node:child_process';"],
    [
      'a rule using the snapshot index',
      'src/rules/zz-new-rule.ts',
      "import { buildIndex } from '../snapshot/index.js';",
    ],
  ])('%s may', async (_what, file, line) => {
    expect(await restricted(file, `${line}\nexport const x = 1;\n`)).toEqual([]);
  });
});

describe('per-cause tables are exhaustive at compile time', () => {
  it('a cause added to CAUSES alone fails to compile, naming every table that lacks it', () => {
    const model = `${ROOT}src/model.ts`;
    const text = readFileSync(model, 'utf8');
    const edited = text.replace(
      "  'port-free',\n  'unknown',\n] as const;",
      "  'port-free',\n  'unknown',\n  'made-up-cause',\n] as const;",
    );
    expect(edited).not.toBe(text);
    const options: ts.CompilerOptions = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    };
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    host.readFile = (f) => (f === model ? edited : readFile(f));
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (f, lang, onError) =>
      f === model ? ts.createSourceFile(f, edited, lang) : getSourceFile(f, lang, onError);
    const tables = ['src/verdict.ts', 'src/remedy/remedies/index.ts', 'src/cli/render/causes.ts', 'src/docs/causes.ts'];
    const program = ts.createProgram(
      tables.map((f) => `${ROOT}${f}`),
      options,
      host,
    );
    const failing = new Set(
      ts
        .getPreEmitDiagnostics(program)
        .filter((d) => d.category === ts.DiagnosticCategory.Error && d.file)
        .map((d) => d.file!.fileName.slice(ROOT.length)),
    );
    expect([...failing].sort()).toEqual([...tables].sort());
  }, 120_000);
});
