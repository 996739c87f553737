// A snapshot collected for some ports holds no sockets or rules of the others: replayed for another
// port it must not say "free" (it did: port-free, exit 0, for a port it never looked at).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose.js';
import type { Snapshot } from '../../src/model.js';
import { runCli } from '../helpers/cli.js';

const FILE = 'test/fixtures/probe/docker-28.5.2/bound-no-reuseaddr.snapshot.json';
const snap = JSON.parse(readFileSync(FILE, 'utf8')) as Snapshot;

describe('a snapshot replayed for a port it was not collected for', () => {
  it('is unknown, names the ports it covers and how to collect this one', () => {
    expect(snap.scope.ports).toEqual([24002]);
    const d = diagnose(snap, { proto: 'tcp', ip: null, port: 8080 });
    expect(d.verdict).toMatchObject({ cause: 'unknown', confidence: 'possible' });
    expect(d.verdict.summary).toMatch(/24002 only.*--port 8080/);
    expect(d.inconclusive.map((i) => i.rule)).toEqual(['snapshot-scope']);
    const r = runCli(['diagnose', '8080', '--from', FILE, '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out).verdict.cause).toBe('unknown');
  });
  it('the port it was collected for is still diagnosed from its evidence', () => {
    const d = diagnose(snap, { proto: 'tcp', ip: null, port: 24002 });
    expect(d.verdict.cause).toBe('host-process');
  });
});
