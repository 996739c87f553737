// The JSON Schemas in schemas/ (npm run gen:schemas, from src/cli/json-types.ts): current, strict
// enough to fail, and fitting every output the library gives on every lab capture. The CLI's own
// --json runs are validated by the test helpers that spawn it (test/helpers/json-schema.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose.js';
import { explain, primary } from '../../src/explain/explain.js';
import type { Snapshot } from '../../src/model.js';
import { walkPath } from '../../src/path/index.js';
import { portMap } from '../../src/portmap.js';
import { planRemedies } from '../../src/remedy/plan.js';
import { nearestFreePort } from '../../src/remedy/suggest-port.js';
import { parseSnapshot } from '../../src/snapshot/io.js';
import { redactSnapshot } from '../../src/snapshot/redact.js';
import { outputKind, parseOutput, SchemaViolation, validateOutput } from '../helpers/json-schema.js';
import { CORPUS, LAB, snapshotFromCapture } from '../helpers/lab-capture.js';

const ROOT = new URL('../../', import.meta.url).pathname;

/** every capture directory: a scenario, and its before-run / during / after-kill sub-captures */
function captures(): string[] {
  const out: string[] = [];
  for (const s of readdirSync(LAB)) {
    if (s.startsWith('_') || !statSync(join(LAB, s)).isDirectory()) continue;
    if (existsSync(join(LAB, s, 'ss-tulpn.txt'))) out.push(s);
    for (const sub of readdirSync(join(LAB, s)))
      if (existsSync(join(LAB, s, sub, 'ss-tulpn.txt'))) out.push(`${s}/${sub}`);
  }
  return out;
}

/** the ports a capture is about: its listeners, publishes and DNATs (and one nothing holds) */
function portsOf(snap: Snapshot): number[] {
  const ps = new Set<number>([29_999]);
  if (snap.sockets.ok)
    for (const s of snap.sockets.value) if (s.state === 'LISTEN' || s.state === 'UNCONN') ps.add(s.port);
  if (snap.containers.ok) for (const c of snap.containers.value) for (const b of c.published) ps.add(b.hostPort);
  return [...ps].filter((p) => p > 0).slice(0, 12);
}

describe('schemas/', () => {
  it('are what npm run gen:schemas makes from src/cli/json-types.ts', () => {
    const r = spawnSync(process.execPath, ['scripts/gen-schemas.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  it('refuse what the contract does not allow (a missing field, an extra one, a cause not in the list)', () => {
    const d = diagnose(snapshotFromCapture('host-process'), { proto: 'tcp', ip: null, port: 8080 }, null);
    const good = { ...d, remedies: [] };
    expect(() => validateOutput('diagnose', good)).not.toThrow();
    const { verdict: _v, ...noVerdict } = good;
    expect(() => validateOutput('diagnose', noVerdict)).toThrow(SchemaViolation);
    expect(() => validateOutput('diagnose', { ...good, extra: 1 })).toThrow(/additional/);
    expect(() => validateOutput('diagnose', { ...good, verdict: { ...good.verdict, cause: 'gremlins' } })).toThrow(
      /\/verdict\/cause/,
    );
    expect(() =>
      parseOutput('watch-line', '{"time":"t","event":"watching","container":null,"cause":null}\n{}'),
    ).toThrow(SchemaViolation);
  });

  it('know which command prints which schema', () => {
    expect(outputKind(['diagnose', '8080', '--json'])).toBe('diagnose');
    expect(outputKind(['portdoctor', 'fix', '8080', '--apply', '--yes', '--json'])).toBe('fix-apply');
    expect(outputKind(['fix', '--undo', '--json'])).toBe('fix-undo');
    expect(outputKind(['fix', '8080', '--json'])).toBe('fix-plan');
    expect(outputKind(['lint', '--format', 'sarif', 'x.yml'])).toBe('sarif');
    expect(outputKind(['lint', '--format', 'json'])).toBe('lint');
    expect(outputKind(['diagnose', '8080'])).toBeNull();
  });
});

describe('every lab capture, through the library, fits the schemas', () => {
  const all = captures();
  it('finds the captures', () => expect(all.length).toBeGreaterThan(20));
  it.each(all)('%s: snapshot, diagnose, fix plan, ports and trace', (c) => {
    const snap = snapshotFromCapture(c);
    // what collect --out writes: redacted, through JSON and back
    const saved = JSON.parse(JSON.stringify(redactSnapshot(snap))) as unknown;
    validateOutput('snapshot', saved);
    validateOutput('snapshot', parseSnapshot(JSON.stringify(saved), c));
    const map = portMap(snap);
    validateOutput(
      'ports',
      JSON.parse(JSON.stringify({ ports: map.ports, complete: map.complete, missing: map.missing })),
    );
    for (const port of portsOf(snap)) {
      for (const proto of ['tcp', 'udp'] as const) {
        const subject = { proto, ip: null, port };
        const d = diagnose(snap, subject, null);
        const free = nearestFreePort(snap, proto, null, port, 7);
        const plans = planRemedies(d, snap, { freePort: free });
        validateOutput('diagnose', JSON.parse(JSON.stringify({ ...d, remedies: plans })));
        validateOutput(
          'fix-plan',
          JSON.parse(
            JSON.stringify({
              subject: d.subject,
              cause: d.verdict.cause,
              summary: d.verdict.summary,
              freePort: free,
              composeEdit: null,
              plans,
            }),
          ),
        );
      }
      const walks = (['outside', 'host'] as const).map((k) =>
        walkPath(snap, { proto: 'tcp', port, from: k === 'outside' ? { kind: k } : { kind: k, loopback: true } }),
      );
      validateOutput('trace', JSON.parse(JSON.stringify({ schema: 'portdoctor.trace/1', walks })));
    }
  });
});

describe('recorded snapshots and the error corpus fit the schemas', () => {
  it('every *.snapshot.json fixture (real hosts, both engines)', () => {
    const found: string[] = [];
    const walk = (d: string): void => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (f.endsWith('.snapshot.json')) found.push(p);
      }
    };
    walk(join(ROOT, 'test/fixtures'));
    expect(found.length).toBeGreaterThan(3);
    for (const f of found) validateOutput('snapshot', JSON.parse(readFileSync(f, 'utf8')));
  });

  it('explain --json of every corpus message', () => {
    const corpus = JSON.parse(readFileSync(CORPUS, 'utf8')) as { message?: string; text?: string }[];
    expect(corpus.length).toBeGreaterThan(50);
    for (const e of corpus) {
      const r = explain(e.message ?? e.text ?? '');
      const p = primary(r);
      if (!p) continue;
      validateOutput('explain', JSON.parse(JSON.stringify({ ...p, explanations: r.explanations })));
    }
  });
});
