// `ports --json` is written piece by piece; the text must be JSON.stringify(…, null, 2)'s, byte for byte.
import { describe, expect, it } from 'vitest';
import { prettyJsonPieces, writePieces } from '../../src/cli/json-stream.js';
import { portMap } from '../../src/portmap.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';

const joined = (o: Record<string, unknown>, key: string): string => {
  let out = '';
  writePieces(prettyJsonPieces(o, key), (s) => (out += s));
  return out;
};

describe('prettyJsonPieces', () => {
  it('the lab port maps come out as JSON.stringify(…, null, 2) writes them', () => {
    for (const cap of ['other-container', 'orphan-dnat', 'stale-proxy', 'killed-proxy/after-kill']) {
      const m = portMap(snapshotFromCapture(cap));
      expect(m.ports.length).toBeGreaterThan(0);
      const o = { ports: m.ports, complete: m.complete, missing: m.missing };
      expect(joined(o, 'ports')).toBe(JSON.stringify(o, null, 2));
    }
  });

  it('empty arrays, nested newlines in strings, undefined and null fields, an empty object', () => {
    const cases: Record<string, unknown>[] = [
      { ports: [], complete: false, missing: ['sockets'] },
      { ports: [{ a: 'x\ny', b: undefined, c: null, d: [[], {}] }, 1, 'z'], complete: true, missing: [] },
      { missing: undefined, ports: [{ deep: { er: [1, { k: 'v' }] } }] },
      {},
    ];
    for (const o of cases) expect(joined(o, 'ports')).toBe(JSON.stringify(o, null, 2));
  });

  it('writes in blocks, not one string', () => {
    const ports = Array.from({ length: 5000 }, (_, i) => ({ port: i, owners: [{ kind: 'process', pid: i }] }));
    const writes: string[] = [];
    writePieces(prettyJsonPieces({ ports }, 'ports'), (s) => writes.push(s));
    expect(writes.length).toBeGreaterThan(3);
    expect(writes.join('')).toBe(JSON.stringify({ ports }, null, 2));
  });
});
