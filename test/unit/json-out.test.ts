import { describe, expect, it } from 'vitest';
import { prettyJsonPieces, writeJsonArrayDoc } from '../../src/cli/json-out.js';
import { portMap } from '../../src/portmap.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';

const whole = (doc: object): string => `${JSON.stringify(doc, null, 2)}\n`;
const written = <T extends object>(doc: T, key: keyof T & string): Buffer[] => {
  const out: Buffer[] = [];
  writeJsonArrayDoc(doc, key, (b) => out.push(Buffer.from(b)));
  return out;
};

describe('ports --json written entry by entry', () => {
  const scenarios = ['orphan-dnat', 'stale-proxy', 'other-container', 'host-process-v6dual', 'killed-proxy'];
  it.each(scenarios)('the same bytes as one JSON.stringify on the lab capture %s', (s) => {
    const map = portMap(snapshotFromCapture(s));
    const doc = { ports: map.ports, complete: map.complete, missing: map.missing };
    expect(map.ports.length).toBeGreaterThan(0);
    expect([...prettyJsonPieces(doc, 'ports')].join('')).toBe(whole(doc));
    expect(Buffer.concat(written(doc, 'ports')).toString('utf8')).toBe(whole(doc));
  });

  it('the same bytes for an empty array, nested values, escapes and text that looks like the layout', () => {
    const docs = [
      { ports: [], complete: true, missing: [] },
      {
        ports: [{ a: 'x\ny "q" \u0000', b: [1, [2, {}], []], c: null }, 'é😀', 3, [], {}],
        complete: false,
        missing: ['n\n  ]'],
      },
      { before: { k: [1] }, ports: [[[]]], after: 'z' },
    ];
    for (const d of docs) {
      expect([...prettyJsonPieces(d, 'ports')].join('')).toBe(whole(d));
      expect(Buffer.concat(written(d, 'ports')).toString('utf8')).toBe(whole(d));
    }
  });

  it('a large map is never held as one text: it leaves in chunks of about 64 KB', () => {
    const row = (i: number) => ({ proto: 'tcp', ip: '127.0.0.1', port: 20000 + (i % 5000), status: 'ok', owners: [] });
    const doc = { ports: Array.from({ length: 20_000 }, (_, i) => row(i)), complete: true, missing: [] };
    const chunks = written(doc, 'ports');
    const total = chunks.reduce((n, c) => n + c.length, 0);
    expect(total).toBe(Buffer.byteLength(whole(doc)));
    expect(chunks.length).toBeGreaterThan(20);
    // each chunk is one 64 KB batch plus at most one entry
    for (const c of chunks) expect(c.length).toBeLessThan(64 * 1024 + 1024);
  });
});
