// Interpolation as Compose does it, nested defaults included (RT-15), and .env values that
// reference other variables. Expected values are what `docker compose config` 2.40.3 printed.
import { describe, expect, it } from 'vitest';
import { interpolate, parseDotEnv } from '../../../src/compose/interpolate.js';
import { parseShortPort } from '../../../src/compose/ports.js';

describe('nested interpolation', () => {
  const v = { OTHER: '8088', EMPTY: '' };
  it('a default that is itself a variable, two levels deep, and an alternative that names the variable', () => {
    expect(interpolate('${UNSET_A:-${OTHER}}:81', v).value).toBe('8088:81');
    expect(interpolate('${UNSET_B:-${UNSET_C:-8087}}:82', v).value).toBe('8087:82');
    expect(interpolate('${OTHER:+${OTHER}}:87', v).value).toBe('8088:87');
    expect(interpolate('${EMPTY:+${OTHER}}:88', v).value).toBe(':88');
    expect(interpolate('${EMPTY-${OTHER}}|${EMPTY:-${OTHER}}', v).value).toBe('|8088');
    expect(interpolate('${A:-{x}}', {}).value).toBe('{x}');
    expect(interpolate('${OTHER-x}}', v).value).toBe('8088}');
    // the ports parse once interpolated: no "${UNSET_C" host IP, no "}" host port
    for (const s of ['${UNSET_A:-${OTHER}}:81', '${UNSET_B:-${UNSET_C:-8087}}:82', '${OTHER:+${OTHER}}:87'])
      expect(parseShortPort(interpolate(s, v).value).hostPort).not.toBe('ephemeral');
  });
  it('unknown variables inside a default are still reported; only the used branch counts', () => {
    expect(interpolate('${UNSET_A:-${NOPE}}', v).unknown).toEqual(['NOPE']);
    expect(interpolate('${OTHER:-${NOPE}}', v).unknown).toEqual([]);
    expect(() => interpolate('${X:-${Y:?Y is needed}}', v)).toThrow(/required variable Y.*Y is needed/);
  });
  it('malformed expressions are errors, a lone $ is kept', () => {
    expect(() => interpolate('${UNSET_A:-${OTHER}', v)).toThrow(/no closing/);
    expect(() => interpolate('${1A}', v)).toThrow(/invalid interpolation/);
    expect(() => interpolate('${A B}', v)).toThrow(/invalid interpolation/);
    expect(interpolate('a$ b $1 $$x', v).value).toBe('a$ b $1 $x');
  });
  it('a default nested 200 levels deep', () => {
    const deep = '${A:-'.repeat(200) + '8080' + '}'.repeat(200);
    expect(interpolate(deep, {}).value).toBe('8080');
  });
});

describe('.env values referencing other variables', () => {
  it('expands earlier keys and the environment; the environment wins; single quotes are literal', () => {
    const env = parseDotEnv('A=1\nB=${A}x\nC="${SHX:-d}y"\nD=\'${A}\'\nE=$A$A\nF=${NOPE:-${A}}\n', {
      A: '9',
      SHX: 's',
    });
    expect(env).toEqual({ A: '1', B: '9x', C: 'sy', D: '${A}', E: '99', F: '9' });
    expect(parseDotEnv('P=80\nPORT=${P}80\n')).toMatchObject({ PORT: '8080' });
  });
});
