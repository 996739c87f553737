// An ESLint-style rule tester for compose rules: valid and invalid cases, asserting the rule id,
// the exact positions, the messageId and data (never the wording: src/compose/rules/messages.ts);
// every other rule's output is ignored so each table tests one rule. Every reported problem is also
// checked against its catalog: the messageId exists, every placeholder is in data, no braces left.
import { expect, it } from 'vitest';
import { lintProjects } from '../../src/compose/lint.js';
import type { LoadedFile } from '../../src/compose/project.js';
import { composeRules } from '../../src/compose/rules/index.js';
import type { ComposeRule } from '../../src/compose/rules/types.js';
import type { LintProblem } from '../../src/compose/types.js';
import { placeholdersOf } from '../../src/util/message.js';
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
      messageId?: string;
      data?: Record<string, unknown>;
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

const byId = new Map<string, ComposeRule>(composeRules.map((r) => [r.meta.id, r]));

/** What a catalog cannot check by itself: the id exists and the data fills every placeholder. */
export function checkCatalog(rule: string, p: LintProblem): void {
  const messages: Readonly<Record<string, string>> | undefined = byId.get(rule)?.meta.messages;
  expect(messages, `${rule} is a compose rule with a catalog`).toBeTruthy();
  const template = messages?.[p.messageId ?? ''];
  expect(template, `${rule}: messageId ${p.messageId}`).toBeTypeOf('string');
  for (const k of placeholdersOf(template ?? ''))
    expect(p.data, `${rule}/${p.messageId} reads {{${k}}}`).toHaveProperty(k);
  expect(p.message).not.toMatch(/\{\{|\}\}/);
}

export function ruleTester(rule: string, t: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  const met = new Set<string>();
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
        const { data, ...pos } = e;
        expect(g).toMatchObject(pos);
        if (data) expect(g.data).toMatchObject(data);
      });
      for (const g of got) {
        checkCatalog(rule, g);
        if (g.messageId) met.add(g.messageId);
      }
    });
  }
  it('every messageId of its catalog is met by an invalid case', () => {
    expect([...met].sort()).toEqual(Object.keys(byId.get(rule)?.meta.messages ?? {}).sort());
  });
}
