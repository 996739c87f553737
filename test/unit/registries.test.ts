// The per-cause and per-rule tables are exhaustive by type (`satisfies Record<Cause, …>`); these
// tests pin what the types cannot: rule ids match their files, ranks do not tie, every table has
// exactly the causes of the union, and a made-up rule id does not compile.
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CAUSE_TONE } from '../../src/cli/render/causes.js';
import { CAUSE_DOCS } from '../../src/docs/causes.js';
import { CAUSES, STAGES } from '../../src/model.js';
import { REMEDIES } from '../../src/remedy/remedies/index.js';
import { rules, type RuleId } from '../../src/rules/index.js';
import { CAUSE_RANK, STAGE_CAUSES, STAGE_SAYS_HELD } from '../../src/verdict.js';

describe('registries', () => {
  it('every per-cause table has exactly the causes of the union', () => {
    for (const table of [CAUSE_RANK, REMEDIES, CAUSE_TONE, CAUSE_DOCS]) {
      expect(Object.keys(table).sort()).toEqual([...CAUSES].sort());
    }
  });
  it('every per-stage table has exactly the stages of the union', () => {
    for (const table of [STAGE_CAUSES, STAGE_SAYS_HELD]) expect(Object.keys(table).sort()).toEqual([...STAGES].sort());
  });
  it('no two causes tie in rank', () => {
    const ranks = Object.values(CAUSE_RANK);
    expect(new Set(ranks).size).toBe(ranks.length);
  });
  it('a rule id is its file name in src/rules/', () => {
    for (const r of rules) expect(existsSync(new URL(`../../src/rules/${r.meta.id}.ts`, import.meta.url))).toBe(true);
  });
  it('a cause with a rule is documented as detected, and one without as not yet', () => {
    const reported = new Set<string>(rules.map((r) => r.meta.cause));
    for (const c of CAUSES) {
      if (c === 'port-free' || c === 'unknown') continue; // decided by the verdict, not by one rule
      expect(CAUSE_DOCS[c].detected, c).toBe(reported.has(c));
    }
  });
  it('rule ids are literal types: a made-up id fails to compile', () => {
    const real: RuleId = 'orphan-dnat';
    // @ts-expect-error -- not a registered rule id (tsc fails if this line ever compiles)
    const fake: RuleId = 'no-such-rule-at-all';
    expect([real, fake]).toHaveLength(2);
  });
});
