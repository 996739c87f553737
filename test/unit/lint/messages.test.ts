// The compose rules' words live in one catalog (src/compose/rules/messages.ts): one entry per
// registered rule, each rule reading its own entry, and a finding's text is its template rendered.
import { describe, expect, it } from 'vitest';
import { composeRules } from '../../../src/compose/rules/index.js';
import { COMPOSE_RULE_MESSAGES } from '../../../src/compose/rules/messages.js';
import { formatMessage } from '../../../src/util/message.js';
import { lintCase } from '../../helpers/compose-tester.js';

describe('compose message catalog', () => {
  it('has one entry per registered rule, and each rule reads its own', () => {
    expect(Object.keys(COMPOSE_RULE_MESSAGES).sort()).toEqual(composeRules.map((r) => r.meta.id).sort());
    for (const r of composeRules)
      expect(r.meta.messages, r.meta.id).toBe(COMPOSE_RULE_MESSAGES[r.meta.id as keyof typeof COMPOSE_RULE_MESSAGES]);
  });
  it('a problem’s message is its template rendered with its data (no text built in the rule)', () => {
    const got = lintCase({
      code: 'services:\n  a:\n    image: x\n    ports: ["8080:80"]\n  b:\n    image: x\n    ports: ["8080:81"]\n',
    });
    const dup = got.find((p) => p.rule === 'duplicate-host-port');
    expect(dup?.messageId).toBe('sameHostIp');
    const scalars = Object.fromEntries(
      Object.entries(dup?.data ?? {}).filter(([, v]) => v === null || typeof v !== 'object'),
    ) as Record<string, string | number | boolean | null>;
    const template = COMPOSE_RULE_MESSAGES['duplicate-host-port'].sameHostIp;
    expect(dup?.message).toBe(formatMessage(template, scalars));
    expect(formatMessage(template, { ...scalars, other: 'SENTINEL' })).toContain('service SENTINEL');
    expect(got.length).toBeGreaterThan(1);
    expect(got.filter((p) => p.messageId === undefined)).toEqual([]);
  });
});
