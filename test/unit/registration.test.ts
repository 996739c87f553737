// The one step of adding a rule that no type can catch: a rule file that is not in its registry
// would never run. Every file that declares a rule is registered, host and compose alike, and each
// host rule's catalog entry is the one in src/rules/messages.ts (CONTRIBUTING.md, "Adding a cause").
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeRules } from '../../src/compose/rules/index.js';
import { rules } from '../../src/rules/index.js';
import { HOST_RULE_MESSAGES } from '../../src/rules/messages.js';

const declared = (dir: string, call: string): string[] => {
  const url = new URL(`../../src/${dir}/`, import.meta.url);
  return readdirSync(url)
    .filter((f) => f.endsWith('.ts') && readFileSync(new URL(f, url), 'utf8').includes(`= ${call}(`))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
};

describe('every declared rule is registered', () => {
  it('host rules: src/rules/*.ts with defineRule are all in src/rules/index.ts', () => {
    const files = declared('rules', 'defineRule');
    expect(files.length).toBeGreaterThanOrEqual(20);
    expect(files).toEqual(rules.map((r) => r.meta.id).sort());
  });
  it('compose rules: src/compose/rules/*.ts with defineComposeRule are all in its index', () => {
    const files = declared('compose/rules', 'defineComposeRule');
    expect(files.length).toBe(7);
    expect(files).toEqual(composeRules.map((r) => r.meta.id).sort());
  });
  it('each host rule reads its own catalog entry', () => {
    for (const r of rules)
      expect(r.meta.messages, r.meta.id).toBe(HOST_RULE_MESSAGES[r.meta.id as keyof typeof HOST_RULE_MESSAGES]);
  });
});
