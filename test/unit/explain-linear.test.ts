// explain must stay linear on hostile pastes (RT-07: one pattern backtracked quadratically, 6-10 s per MB).
// Bounded work is proven by counting, not timing: (1) every regular expression explain runs is
// collected while it reads the corpus and the pathological shapes, and recheck (a ReDoS checker
// that analyses the regex's automaton) must call each one safe, i.e. linear in its input; (2) the
// number of regex executions grows linearly with the number of records. Speed itself is in
// bench/explain-linear.mjs.
import { readFileSync } from 'node:fs';
import { checkSync } from 'recheck';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explain } from '../../src/explain/explain.js';
import { CORPUS } from '../helpers/lab-capture.js';

const used = new Map<string, RegExp>();
let calls = 0;
const orig = { exec: RegExp.prototype.exec, test: RegExp.prototype.test };

beforeAll(() => {
  // String.prototype.replace/split/match go through RegExp.prototype.exec (or the spec's
  // RegExpBuiltinExec fast path, which V8 only takes while exec is unmodified), so patching exec
  // sees them all
  let inHook = false;
  RegExp.prototype.exec = function (this: RegExp, s: string) {
    if (!inHook) {
      inHook = true;
      calls++;
      used.set(`/${this.source}/${[...this.flags].filter((f) => f !== 'g' && f !== 'y').join('')}`, this);
      inHook = false;
    }
    return orig.exec.call(this, s);
  };
});
afterAll(() => {
  RegExp.prototype.exec = orig.exec;
  RegExp.prototype.test = orig.test;
});

const line = (pad: string) => `Error starting userland proxy:${pad.repeat(8100)}x\n`;
const shapes = [line(' '), line('\t'), `${'a:'.repeat(4000)}\n`, `Bind for ${':1'.repeat(4000)}\n`];

function callsFor(text: string): number {
  const before = calls;
  explain(text);
  return calls - before;
}

describe('explain is linear', () => {
  it('the pathological shapes are still read, and give the same answer as one copy', () => {
    const one = explain(shapes[0] as string).explanations.map((e) => e.pattern);
    const many = explain((shapes[0] as string).repeat(16)).explanations.map((e) => e.pattern);
    expect(new Set(many)).toEqual(new Set(one));
  });

  it('regex executions grow linearly with the records (16 copies cost 16x one copy, within 10 %)', () => {
    for (const s of shapes) {
      const c1 = callsFor(s + s) - callsFor(s);
      const c16 = callsFor(s.repeat(17)) - callsFor(s);
      expect(c1).toBeGreaterThan(0);
      expect(c16 / (16 * c1)).toBeGreaterThan(0.9);
      expect(c16 / (16 * c1)).toBeLessThan(1.1);
    }
  });

  it('every regular expression explain runs is linear (recheck: safe)', { timeout: 900_000 }, () => {
    const corpus = JSON.parse(readFileSync(CORPUS, 'utf8')) as { message: string }[];
    for (const e of corpus) explain(e.message);
    for (const e of corpus) explain(e.message, { rootless: true });
    for (const s of shapes) explain(s);
    const publicCorpus = new URL('../fixtures/corpus/public-errors.json', import.meta.url);
    try {
      for (const e of JSON.parse(readFileSync(publicCorpus, 'utf8')) as { message: string }[]) explain(e.message);
    } catch {
      /* the public corpus is optional for this test */
    }
    RegExp.prototype.exec = orig.exec;
    expect(used.size).toBeGreaterThan(40);
    const unsafe: string[] = [];
    for (const [key, re] of used) {
      const flags = re.flags.replace(/[gy]/g, '');
      // the automaton checker proves linearity in milliseconds when it can; big case-insensitive
      // alternations it cannot finish, and recheck's fuzzer (seconds) decides those
      let r = checkSync(re.source, flags, { checker: 'automaton', timeout: 1_000 });
      if (r.status === 'unknown') r = checkSync(re.source, flags, { timeout: 60_000 });
      if (r.status !== 'safe')
        unsafe.push(`${key}: ${r.status}${r.status === 'vulnerable' ? ` (${r.complexity.summary})` : ''}`);
    }
    expect(unsafe).toEqual([]);
  });
});
