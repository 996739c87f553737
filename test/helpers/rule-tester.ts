// An ESLint-style RuleTester for host rules: a snapshot in, the rule's findings (messageId, data,
// severity, confidence, holders) out. Every invalid case also checks what a catalog cannot: the
// messageId exists, every placeholder the template reads is in data, and the rendered text has no
// braces left. Every rule is also checked to be inconclusive (never silently clear) without each
// fact it requires.
import { describe, expect, it } from 'vitest';
import type { FactKey, Finding, Holder, Snapshot, Subject, Symptom } from '../../src/model.js';
import { runRules } from '../../src/rules/engine.js';
import type { Rule } from '../../src/rules/types.js';
import { placeholdersOf } from '../../src/util/message.js';

export interface ValidRuleCase {
  readonly name: string;
  readonly snapshot: Snapshot;
  readonly subject: Subject;
  readonly symptom?: Symptom | null;
}

export interface ExpectedFinding {
  readonly messageId: string;
  readonly data?: Readonly<Record<string, unknown>>;
  readonly severity?: Finding['severity'];
  readonly confidence?: Finding['confidence'];
  readonly holders?: readonly Partial<Holder>[];
}

export interface InvalidRuleCase extends ValidRuleCase {
  readonly findings: readonly ExpectedFinding[];
}

const knockOut = (snap: Snapshot, k: FactKey): Snapshot => ({
  ...snap,
  [k]: { ok: false, error: { code: 'denied', message: 'knocked out by the rule tester' }, source: 'test' },
});

export function ruleTester(
  rule: Rule,
  cases: { readonly valid: readonly ValidRuleCase[]; readonly invalid: readonly InvalidRuleCase[] },
): void {
  const run = (c: ValidRuleCase) => runRules(c.snapshot, c.subject, c.symptom ?? null, [rule]);
  describe(rule.meta.id, () => {
    for (const c of cases.valid) {
      it(`valid: ${c.name}`, () => {
        const r = run(c);
        expect(r.inconclusive.filter((i) => i.missing.length === 0)).toEqual([]); // did not crash
        expect(r.findings).toEqual([]);
      });
    }
    for (const c of cases.invalid) {
      it(`invalid: ${c.name}`, () => {
        const r = run(c);
        expect(r.inconclusive.filter((i) => i.missing.length === 0)).toEqual([]);
        expect(
          r.findings.map((f) => f.messageId),
          JSON.stringify(r.findings, null, 1),
        ).toEqual(c.findings.map((f) => f.messageId));
        c.findings.forEach((want, i) => {
          const got = r.findings[i]!;
          expect(got.rule).toBe(rule.meta.id);
          expect(got.cause).toBe(rule.meta.cause);
          if (want.data) expect(got.data).toMatchObject(want.data);
          if (want.severity) expect(got.severity).toBe(want.severity);
          if (want.confidence) expect(got.confidence).toBe(want.confidence);
          if (want.holders) expect(got.holders).toMatchObject(want.holders);
          const template = (rule.meta.messages as Record<string, string>)[got.messageId];
          expect(template, `messageId ${got.messageId} is in the catalog`).toBeTypeOf('string');
          for (const p of placeholdersOf(template!)) expect(Object.keys(got.data), `data.${p}`).toContain(p);
          expect(got.message).not.toMatch(/\{\{|\}\}/);
        });
      });
      for (const k of rule.meta.requires) {
        it(`invalid: ${c.name}, without ${k}: inconclusive, never clear`, () => {
          const r = run({ ...c, snapshot: knockOut(c.snapshot, k) });
          expect(r.findings).toEqual([]);
          expect(r.inconclusive.map((i) => i.rule)).toContain(rule.meta.id);
        });
      }
    }
  });
}
