// The path model and the path causes on snapshots recorded by test/live/path-netns.test.ts
// (`collect --out` in the network namespace of a dockerd the test started with `--bridge pdtbr81`),
// one per case, where the live test also watched the real packet: healthy, Docker's DNAT deleted,
// the PREROUTING jump to DOCKER deleted (OUTPUT's kept), a DOCKER-USER drop, an orphan DNAT ahead.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose.js';
import { walkPath } from '../../src/path/index.js';
import { planRemedies } from '../../src/remedy/plan.js';
import { loadSnapshot } from '../../src/snapshot/io.js';

const PORT = 28101;
const SUBJECT = { proto: 'tcp' as const, ip: null, port: PORT };
const IP = '198.19.81.2';
const load = (engine: string, name: string) =>
  loadSnapshot(fileURLToPath(new URL(`../fixtures/path/netns-${engine}/${engine}-${name}.json`, import.meta.url)));
const outside = (s: ReturnType<typeof load>) => walkPath(s, { proto: 'tcp', port: PORT, from: { kind: 'outside' } });
const fixture = (engine: string, name: string) =>
  fileURLToPath(new URL(`../fixtures/path/netns-${engine}/${engine}-${name}.json`, import.meta.url));
const drm = (d: ReturnType<typeof diagnose>) => d.findings.find((f) => f.cause === 'docker-rules-missing');

describe.each(['20.10', '28.5'])('path on the netns captures (dockerd %s, --bridge pdtbr81)', (engine) => {
  it('healthy: outside → DNAT → the container; no path cause', () => {
    const s = load(engine, 'healthy');
    expect(outside(s).outcome).toMatchObject({ kind: 'container', ip: IP, port: 80 });
    const causes = diagnose(s, SUBJECT).findings.map((f) => f.cause);
    expect(causes).not.toContain('docker-rules-missing');
    expect(causes).not.toContain('firewall-drop');
  });

  it("DNAT deleted: docker-rules-missing, and the restore rule names the daemon's own bridge, not docker0", () => {
    const s = load(engine, 'dnat-deleted');
    expect(outside(s).outcome).toMatchObject({ kind: 'docker-proxy', containerIp: IP });
    const d = diagnose(s, SUBJECT);
    expect(drm(d)?.data).toMatchObject({ missing: 'dnat', bridge: 'pdtbr81', stillAnswers: true });
    const byHand = planRemedies(d, s).find((p) => p.steps.some((x) => x.argv.includes('DNAT')));
    const add = byHand?.steps.find((x) => x.argv.includes('DNAT'));
    expect(add?.argv).toEqual(expect.arrayContaining(['!', '-i', 'pdtbr81']));
    expect(add?.argv).not.toContain('docker0');
  });

  it('the PREROUTING jump deleted while OUTPUT still jumps: outside traffic is not translated → docker-rules-missing (jump)', () => {
    const s = load(engine, 'prerouting-jump-deleted');
    const w = outside(s);
    expect(w.paths[0]?.hops.some((h) => h.verdict.startsWith('dnat'))).toBe(false);
    expect(w.outcome).toMatchObject({ kind: 'docker-proxy', containerIp: IP });
    const d = diagnose(s, SUBJECT);
    expect(d.verdict.cause).toBe('docker-rules-missing');
    expect(drm(d)?.data).toMatchObject({ missing: 'jump', chain: 'DOCKER', hooks: 'PREROUTING' });
    // OUTPUT's jump is still there: the hand restore adds only PREROUTING's, never a second OUTPUT jump
    const steps = planRemedies(d, s).flatMap((p) => p.steps.map((x) => x.argv.join(' ')));
    expect(steps.some((x) => / -A PREROUTING .*-j DOCKER$/.test(x))).toBe(true);
    expect(steps.some((x) => / -A OUTPUT /.test(x))).toBe(false);
  });

  it('a DOCKER-USER drop for the container: dropped there, firewall-drop names it', () => {
    const s = load(engine, 'docker-user-drop');
    const w = outside(s);
    expect(w.outcome).toMatchObject({ kind: 'dropped', by: { table: 'filter', chain: 'DOCKER-USER' } });
    const d = diagnose(s, SUBJECT);
    expect(d.verdict.cause).toBe('firewall-drop');
    expect(JSON.stringify(d.findings.find((f) => f.cause === 'firewall-drop')?.holders)).toContain('portdoctor-test');
  });

  it("an orphan DNAT ahead of Docker's: the packet goes to the orphan's target; orphan-dnat, not docker-rules-missing", () => {
    const s = load(engine, 'orphan-ahead');
    const w = outside(s);
    expect(w.paths[0]?.hops.find((h) => h.verdict.startsWith('dnat'))?.verdict).toBe('dnat to 198.19.81.99:80');
    expect(['blackhole', 'dropped']).toContain(w.outcome.kind);
    const d = diagnose(s, SUBJECT);
    expect(d.findings.map((f) => f.cause)).toContain('orphan-dnat');
    expect(drm(d)).toBeUndefined();
  });

  it('a client in the container reaching localhost:PORT gets its own loopback; trace says what to use instead', () => {
    const w = walkPath(load(engine, 'healthy'), {
      proto: 'tcp',
      port: PORT,
      from: { kind: 'container', name: 'pdtest-path-web' },
      daddr: '127.0.0.1',
    });
    expect(w.outcome).toMatchObject({ kind: 'own-loopback', container: 'pdtest-path-web' });
    // the gateway of this daemon's own bridge, not docker0's 172.17.0.1
    if (w.outcome.kind === 'own-loopback') expect(w.outcome.instead.join(' ')).toContain('198.19.81.1:28101');
    const bin = fileURLToPath(new URL('../../bin/portdoctor', import.meta.url));
    const r = spawnSync(
      bin,
      ['trace', `localhost:${PORT}`, '--from', 'container:pdtest-path-web', '--snapshot', fixture(engine, 'healthy')],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('localhost inside container pdtest-path-web is the container itself, not the host');
    expect(r.stdout).toContain('use instead: host.docker.internal:28101');
  });
});
