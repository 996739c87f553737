// An ESLint-style rule tester for compose rules: valid and invalid cases, asserting the rule id,
// the exact positions, and data; every other rule's output is ignored so each table tests one rule.
import { expect, it } from 'vitest';
import { lintProjects } from '../../src/compose/lint.js';
import type { LoadedFile } from '../../src/compose/project.js';
import type { LintProblem } from '../../src/compose/types.js';
import type { Snapshot } from '../../src/model.js';

export interface ValidCase {
  name?: string;
  code: string | LoadedFile[];
  vars?: Record<string, string>;
  profiles?: string[];
  host?: Snapshot;
  projects?: Array<{ name: string; code: string }>;
}
export interface InvalidCase extends ValidCase {
  errors: Array<
    Partial<Pick<LintProblem, 'line' | 'column' | 'endLine' | 'endColumn' | 'severity'>> & {
      data?: Record<string, unknown>;
      message?: RegExp;
      file?: string;
    }
  >;
}

export function lintCase(c: ValidCase): LintProblem[] {
  const inputs = c.projects
    ? c.projects.map((p) => ({
        name: p.name,
        files: [{ path: `${p.name}/compose.yaml`, text: p.code }],
        vars: c.vars ?? {},
        profiles: c.profiles,
      }))
    : [
        {
          name: 'app',
          files: typeof c.code === 'string' ? [{ path: 'compose.yaml', text: c.code }] : c.code,
          vars: c.vars ?? {},
          profiles: c.profiles,
          load: (p: string) => (typeof c.code === 'string' ? null : (c.code.find((f) => f.path === p) ?? null)),
        },
      ];
  return [...lintProjects(inputs, { host: c.host ?? null }).problems];
}

export function ruleTester(rule: string, t: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  for (const [i, v] of t.valid.entries()) {
    it(`valid #${i}${v.name ? `: ${v.name}` : ''}`, () => {
      expect(lintCase(v).filter((p) => p.rule === rule)).toEqual([]);
    });
  }
  for (const [i, v] of t.invalid.entries()) {
    it(`invalid #${i}${v.name ? `: ${v.name}` : ''}`, () => {
      const got = lintCase(v).filter((p) => p.rule === rule);
      expect(got, JSON.stringify(got, null, 1)).toHaveLength(v.errors.length);
      v.errors.forEach((e, k) => {
        const g = got[k]!;
        const { message, data, ...pos } = e;
        expect(g).toMatchObject(pos);
        if (data) expect(g.data).toMatchObject(data);
        if (message) expect(g.message).toMatch(message);
      });
    });
  }
}
