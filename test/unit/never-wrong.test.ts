// "Never a wrong verdict": take every lab scenario, knock out each fact in turn (as a failed
// collector would). The verdict must stay the same cause, fall back to `unknown`, or name another
// cause that is TRUE in the full picture (a secondary finding there, e.g. the victim container when
// the orphan rule is hidden) — then never with `certain` confidence. Never `port-free` when blind.
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose.js';
import { FACT_KEYS, type FactKey, type Snapshot } from '../../src/model.js';
import { rules } from '../../src/rules/index.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';
import { probeCases } from '../helpers/probe-cases.js';

const SCENARIOS: Array<[string, number, 'tcp' | 'udp']> = [
  ['host-process', 18101, 'tcp'],
  ['host-process-v6dual', 18104, 'tcp'],
  ['host-process-udp', 18105, 'udp'],
  ['other-container', 18201, 'tcp'],
  ['host-network-container', 18301, 'tcp'],
  ['orphan-dnat', 18401, 'tcp'],
  ['orphan-dnat-legacy', 18403, 'tcp'],
  ['orphan-dnat-nft', 18404, 'tcp'],
  ['orphan-dnat-nft-table', 18405, 'tcp'],
  ['stale-proxy', 18501, 'tcp'],
  ['killed-proxy/after-kill', 18601, 'tcp'],
  ['resolved-stub', 53, 'udp'],
  ['other-container-stopped/before-new-run', 18202, 'tcp'],
  ['host-process-udp', 18105, 'tcp'],
];

const knockOut = (s: Snapshot, k: FactKey): Snapshot => ({
  ...s,
  [k]: { ok: false, error: { code: 'denied', message: `${k} knocked out by the test` }, source: 'test' },
});

// the lab's captures, and the bind-probe shapes recorded on Docker 20.10.24 and 28.5.2 (with the probe fact)
const ALL: Array<[string, Snapshot, number, 'tcp' | 'udp']> = [
  ...SCENARIOS.map(([cap, port, proto]): [string, Snapshot, number, 'tcp' | 'udp'] => [
    cap,
    snapshotFromCapture(cap),
    port,
    proto,
  ]),
  ...probeCases().map((c): [string, Snapshot, number, 'tcp' | 'udp'] => [
    `${c.engine}/${c.name}`,
    c.snap,
    c.expect.port,
    c.expect.proto,
  ]),
];

describe('a missing fact never turns into a wrong cause', () => {
  for (const [cap, snap, port, proto] of ALL) {
    const full = diagnose(snap, { proto, ip: null, port });
    for (const k of FACT_KEYS) {
      it(`${cap} ${port}/${proto} without ${k}: ${full.verdict.cause}, unknown, or a true secondary cause`, () => {
        const d = diagnose(knockOut(snap, k), { proto, ip: null, port });
        // a stale allocation IS a container holding the allocation: blind to its proxy, that is what can be said
        const coarser = full.verdict.cause === 'stale-allocation' ? ['container'] : [];
        const trueCauses = [
          full.verdict.cause,
          'unknown',
          ...coarser,
          ...full.findings.filter((f) => f.severity !== 'info').map((f) => f.cause),
        ];
        expect(trueCauses).toContain(d.verdict.cause);
        if (d.verdict.cause !== full.verdict.cause) expect(d.verdict.confidence).not.toBe('certain');
        // host facts (kernel, netns, sysctls) only refine holders; every other fact, the bind probe
        // included (a failed probe is not --no-probe), is needed to say "free"
        if (k !== 'host') expect(d.verdict.cause).not.toBe('port-free');
        if (d.verdict.cause === 'unknown' && full.verdict.cause !== 'unknown') {
          expect(d.collectionErrors.map((e) => e.fact)).toContain(k);
        }
        expect(d.collectionErrors).toContainEqual(expect.objectContaining({ fact: k, code: 'denied' }));
      });
    }
  }
});

describe('rule contract', () => {
  it('every rule that requires a fact is inconclusive (never silently clear) without it', () => {
    const snap = snapshotFromCapture('host-process');
    for (const r of rules) {
      for (const k of r.meta.requires) {
        const d = diagnose(knockOut(snap, k), { proto: 'tcp', ip: null, port: 18101 });
        expect(
          d.inconclusive.map((i) => i.rule),
          `${r.meta.id} without ${k}`,
        ).toContain(r.meta.id);
      }
    }
  });
  it('rule ids are unique kebab-case and each one fires in some lab scenario and stays quiet in another', () => {
    const ids = rules.map((r) => r.meta.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
    const fired = new Set<string>();
    for (const [, snap, port, proto] of ALL)
      for (const f of diagnose(snap, { proto, ip: null, port }).findings) fired.add(f.rule);
    const never = ids.filter((id) => !fired.has(id));
    // not reproducible on the lab's 20.10 rootful host: covered by live tests and test/unit/engines.test.ts
    // (bind-refused-unexplained: test/unit/probe.test.ts, by hiding the holder of a recorded refusal);
    // the path causes (a broken but published port) are covered on edited captures in test/unit/path-rules.test.ts;
    // foreign-dnat and dnat-owner-unknown: no lab capture has another manager's rule (test/unit/nat-owner.test.ts)
    expect(never.sort()).toEqual([
      'bind-refused-unexplained',
      'conntrack-full',
      'dnat-owner-unknown',
      'docker-rules-missing',
      'firewall-drop',
      'foreign-dnat',
      'port-bound-by-container-on-other-ip',
      'port-held-by-forwarder',
      'port-held-by-unseen-owner',
      'rootless-regression',
    ]);
  });
});
