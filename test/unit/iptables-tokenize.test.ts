// tokenize's quote-free fast path (slices between blanks) must split every recorded iptables-save line
// as the character loop does: the loop, as it stood, is the reference here.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIptablesSave, tokenize } from '../../src/collect/parse/iptables-save.js';

function reference(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inQ = false;
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (inQ) {
      if (c === '\\' && i + 1 < line.length) {
        cur += line[++i];
        continue;
      }
      if (c === '"') {
        inQ = false;
        continue;
      }
      cur += c;
    } else if (c === '"') {
      inQ = true;
      has = true;
    } else if (c === ' ' || c === '\t') {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += c;
      has = true;
    }
  }
  if (has || cur) out.push(cur);
  return out;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

const FIX = join(import.meta.dirname, '../fixtures');
const lines = files(FIX)
  .filter((f) => /iptables|ip6tables/.test(f) && f.endsWith('.txt'))
  .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
  .filter((l) => l.startsWith('-A '));

describe('tokenize', () => {
  it('splits every recorded rule line as the character loop does', () => {
    expect(lines.length).toBeGreaterThan(200);
    expect(lines.filter((l) => !l.includes('"')).length).toBeGreaterThan(100);
    for (const l of lines) expect(tokenize(l), l).toEqual(reference(l));
  });

  it('blank runs, tabs, leading and trailing blanks', () => {
    for (const l of ['  -A  X\t-j   Y  ', '\t', '', '-A X -j "" Y', '-A a\\b -j Y'])
      expect(tokenize(l), JSON.stringify(l)).toEqual(reference(l));
  });

  it('the port map view (no rule sets) has the same DNAT rules as the path model view', () => {
    const nat = readFileSync(join(FIX, 'engines/docker28-iptables-nat.txt'), 'utf8');
    const full = parseIptablesSave(nat, 'iptables-nft', 'ip');
    const lean = parseIptablesSave(nat, 'iptables-nft', 'ip', null, false);
    expect(full.dnat.length).toBeGreaterThan(0);
    expect(lean.dnat).toEqual(full.dnat);
    expect(full.rulesets?.length).toBeGreaterThan(0);
    expect(lean.rulesets).toBeUndefined();
  });
});
