// Remedies as data over the lab's captures, preconditions judged on fresh snapshots, and the
// executor's discipline (refusal, stop at first failure, journal, lock) with a recording HostIO.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { recordingIO } from '../helpers/recording-io.js';
import { diagnose } from '../../src/diagnose.js';
import type { Plan, Snapshot } from '../../src/model.js';
import { acquireLock, applyPlan, LockBusy, undoLatest } from '../../src/remedy/execute.js';
import { planRemedies } from '../../src/remedy/plan.js';
import { checkPrecondition } from '../../src/remedy/preconditions.js';
import { composeServiceOf, nearestFreePort } from '../../src/remedy/suggest-port.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';
import { parseOutput } from '../helpers/json-schema.js';

const plansFor = (
  cap: string,
  port: number,
  proto: 'tcp' | 'udp' = 'tcp',
  ip: string | null = null,
): { plans: Plan[]; snap: Snapshot } => {
  const snap = snapshotFromCapture(cap);
  return { plans: planRemedies(diagnose(snap, { proto, ip, port }), snap), snap };
};

describe('plans per cause (argv arrays, safety, disruption)', () => {
  it('orphan DNAT in iptables-nft: delete by full spec (never a line number), safe, with an undo and a dockerd-restart alternative', () => {
    const { plans } = plansFor('orphan-dnat', 18401);
    expect(plans[0]).toMatchObject({
      remedy: 'delete-orphan-dnat',
      safety: 'fix',
      disrupts: [],
      steps: [
        {
          argv: [
            'iptables-nft',
            '-w',
            '-t',
            'nat',
            '-D',
            'DOCKER',
            '!',
            '-i',
            'docker0',
            '-p',
            'tcp',
            '-m',
            'tcp',
            '--dport',
            '18401',
            '-j',
            'DNAT',
            '--to-destination',
            '172.17.0.250:80',
          ],
          undo: [
            'iptables-nft',
            '-w',
            '-t',
            'nat',
            '-A',
            'DOCKER',
            '!',
            '-i',
            'docker0',
            '-p',
            'tcp',
            '-m',
            'tcp',
            '--dport',
            '18401',
            '-j',
            'DNAT',
            '--to-destination',
            '172.17.0.250:80',
          ],
        },
      ],
    });
    expect(plans[0]?.preconditions).toContainEqual({ kind: 'ip-not-live', ip: '172.17.0.250' });
    expect(plans[0]?.steps[0]?.argv).not.toContain('--line-numbers');
    expect(plans.find((p) => p.remedy === 'restart-dockerd')).toMatchObject({
      safety: 'suggest',
      warnings: [expect.stringMatching(/live-restore is NOT enabled/)],
      disrupts: ['container portlab-orphan-dnat-default'],
    });
  });
  it('orphan in nft: delete by handle; in iptables-legacy: iptables-legacy -D', () => {
    expect(plansFor('orphan-dnat-nft', 18404).plans[0]?.steps[0]?.argv).toEqual([
      'nft',
      'delete',
      'rule',
      'ip',
      'nat',
      'DOCKER',
      'handle',
      '508',
    ]);
    expect(plansFor('orphan-dnat-legacy', 18403).plans[0]?.steps[0]?.argv.slice(0, 6)).toEqual([
      'iptables-legacy',
      '-w',
      '-t',
      'nat',
      '-D',
      'DOCKER',
    ]);
  });
  it('host process: only ever a suggestion (never killed unattended), plus moving the container aside', () => {
    const { plans } = plansFor('host-process', 18101);
    // the holder is on 0.0.0.0 and no free port was checked: nothing to move aside to that is proven
    expect(plans.map((p) => [p.remedy, p.safety])).toEqual([['stop-host-process', 'suggest']]);
    expect(plans[0]?.steps[0]?.argv).toEqual(['kill', '-TERM', '12052']);
    const snap = snapshotFromCapture('host-process');
    const d = diagnose(snap, { proto: 'tcp', ip: null, port: 18101 });
    const free = nearestFreePort(snap, 'tcp', null, 18101, 7);
    expect(free).not.toBeNull();
    const aside = planRemedies(d, snap, { freePort: free }).find((p) => p.remedy === 'publish-elsewhere');
    expect(aside?.steps.map((s) => s.argv)).toEqual([['docker', 'run', '-p', `${free}:CONTAINER_PORT`, 'IMAGE']]);
  });
  it('another container: stop it (a suggestion: it is live); compose services are stopped by project/service', () => {
    expect(plansFor('other-container', 18201).plans[0]).toMatchObject({
      remedy: 'stop-holding-container',
      safety: 'suggest',
      disrupts: ['container portlab-other-container-holder'],
    });
    const c = plansFor('compose-duplicate', 18801).plans;
    expect(c[0]?.steps[0]?.argv).toEqual(['docker', 'compose', '-p', 'portlabdup', 'stop', 'web-a']);
    expect(c[1]?.steps[0]?.argv).toEqual([
      'docker',
      'compose',
      '-p',
      'portlabdup',
      'up',
      '-d',
      '--force-recreate',
      'web-a',
    ]);
  });
  it('stale docker-proxy whose executable was not recorded (the lab kept argv only): a suggestion, never a kill', () => {
    const p = plansFor('stale-proxy', 18501).plans[0];
    expect(p).toMatchObject({
      remedy: 'stop-stale-proxy',
      safety: 'suggest',
      steps: [{ argv: ['kill', '-TERM', '28994'] }],
    });
    expect(p?.warnings.join(' ')).toMatch(/not proven to be an engine's docker-proxy/);
  });
  it("stale docker-proxy running the engine's binary: a safe fix that re-checks its exe, parent and target IP", () => {
    const lab = snapshotFromCapture('stale-proxy');
    const procs = lab.processes.ok ? lab.processes.value : [];
    const snap: Snapshot = {
      ...lab,
      processes: {
        ok: true,
        value: procs.map((x) => (x.comm === 'docker-proxy' ? { ...x, exe: '/usr/sbin/docker-proxy' } : x)),
        source: 'test',
      },
      engineBinaries: {
        ok: true,
        value: { dockerProxy: [{ path: '/usr/sbin/docker-proxy', why: 'installed at a package path' }] },
        source: 'test',
      },
    };
    const d = diagnose(snap, { proto: 'tcp', ip: null, port: 18501 });
    expect(d.verdict).toMatchObject({ cause: 'stale-docker-proxy', confidence: 'certain' });
    const p = planRemedies(d, snap)[0];
    expect(p).toMatchObject({
      remedy: 'stop-stale-proxy',
      safety: 'fix',
      steps: [{ argv: ['kill', '-TERM', '28994'] }],
    });
    expect(p?.preconditions).toEqual([
      {
        kind: 'process-is',
        pid: 28994,
        comm: 'docker-proxy',
        notChildOfDockerd: true,
        holdsPort: 18501,
        exe: '/usr/sbin/docker-proxy',
      },
      { kind: 'ip-not-live', ip: '172.17.0.250' },
    ]);
    expect(checkPrecondition(p!.preconditions[0]!, snap).ok).toBe(true);
    // the same pid now running something else (pid reuse, or a renamed copy): refused
    expect(checkPrecondition(p!.preconditions[0]!, lab)).toMatchObject({
      ok: false,
      why: expect.stringMatching(/now runs/),
    });
  });
  it('killed proxy: restart the owning container; resolved stub: bind a specific IP, stopping resolved only with the DNS warning', () => {
    expect(plansFor('killed-proxy/after-kill', 18601).plans[0]).toMatchObject({
      remedy: 'restart-owning-container',
      safety: 'suggest',
    });
    const r = plansFor('resolved-stub', 53, 'udp').plans;
    expect(r.map((p) => p.remedy)).toEqual(['bind-specific-ip', 'stop-resolved-stub']);
    expect(r[0]?.steps[0]?.argv).toEqual(['docker', 'run', '-p', '127.0.0.1:53:53/udp', 'IMAGE']);
    expect(r[1]?.warnings.join(' ')).toMatch(/DNS/);
  });
  it('stopped container that would re-claim the port: a suggestion to remove it', () => {
    expect(plansFor('other-container-stopped/before-new-run', 18202).plans[0]).toMatchObject({
      remedy: 'remove-idle-container',
      safety: 'suggest',
    });
  });
  it('every plan runs a known program with plain argv (no shell syntax), with a reason for each step', () => {
    let steps = 0;
    for (const [cap, port] of [
      ['orphan-dnat', 18401],
      ['host-process', 18101],
      ['other-container', 18201],
      ['stale-proxy', 18501],
      ['resolved-stub', 53],
    ] as const) {
      for (const p of plansFor(cap, port, cap === 'resolved-stub' ? 'udp' : 'tcp').plans) {
        for (const s of p.steps) {
          expect(s.argv[0]).toMatch(/^(docker|nft|ip6?tables-(nft|legacy)|kill|systemctl|sed|update-alternatives)$/);
          expect(s.argv.filter((a) => a.length === 0)).toEqual([]);
          // an argv element that is a whole command line would only work through a shell
          expect(s.argv.filter((a) => /&&|\|\||;\s|\$\(|`/.test(a))).toEqual([]);
          expect(s.why.length).toBeGreaterThan(5);
          steps++;
        }
      }
    }
    // five causes, each with at least one step: a loop over no plans would prove nothing
    expect(steps).toBeGreaterThanOrEqual(5);
  });
});

describe('preconditions on a fresh snapshot', () => {
  it('an orphan rule that now targets a live container is refused; one that vanished is refused', () => {
    const { plans } = plansFor('orphan-dnat/before-run', 18401);
    const pre = plans[0]!.preconditions;
    const same = snapshotFromCapture('orphan-dnat/before-run');
    expect(pre.map((p) => checkPrecondition(p, same).ok)).toEqual([true, true, true]);
    // the capture where the leftover IP was handed to a container
    const adopted = snapshotFromCapture('orphan-dnat-sameip/during');
    const sameipPlan = plansFor('orphan-dnat-sameip/before-run', 18402).plans[0]!;
    expect(checkPrecondition(sameipPlan.preconditions[1]!, adopted)).toMatchObject({
      ok: false,
      why: expect.stringMatching(/172\.17\.0\.2 now belongs to live container/),
    });
    // gone: the container removed it
    const gone = snapshotFromCapture('orphan-dnat-sameip/after-container-removed');
    expect(checkPrecondition(sameipPlan.preconditions[0]!, gone)).toMatchObject({
      ok: false,
      why: expect.stringMatching(/no longer there/),
    });
  });
  it('a pid that is now a child of dockerd, or gone, is refused', () => {
    const p = plansFor('stale-proxy', 18501).plans[0]!.preconditions[0]!;
    expect(checkPrecondition(p, snapshotFromCapture('stale-proxy')).ok).toBe(true);
    expect(checkPrecondition(p, snapshotFromCapture('other-container')).ok).toBe(false);
    expect(
      checkPrecondition(
        { kind: 'process-is', pid: 18156, comm: 'docker-proxy', notChildOfDockerd: true, holdsPort: 18201 },
        snapshotFromCapture('other-container'),
      ),
    ).toMatchObject({ ok: false, why: expect.stringMatching(/child of dockerd/) });
  });
});

describe('executor', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'pd-exec-'));
  const orphan = () => plansFor('orphan-dnat/before-run', 18401).plans[0]!;
  it('re-checks preconditions before the step and refuses when they changed: nothing runs', async () => {
    const io = recordingIO();
    const r = await applyPlan(orphan(), {
      io,
      subject: 't',
      stateDir: dir(),
      fresh: async () => snapshotFromCapture('orphan-dnat-sameip/after-container-removed'),
    });
    expect(r.refused).toMatch(/no longer there/);
    expect(io.calls).toEqual([]);
  });
  it('runs the step when the host still matches, journals argv, output and inverse', async () => {
    const io = recordingIO();
    const d = dir();
    const r = await applyPlan(orphan(), {
      io,
      subject: 't',
      stateDir: d,
      fresh: async () => snapshotFromCapture('orphan-dnat/before-run'),
    });
    expect(r).toMatchObject({ ran: 1, refused: null, failed: null });
    expect(io.calls[0]?.slice(0, 6)).toEqual(['iptables-nft', '-w', '-t', 'nat', '-D', 'DOCKER']);
    const j = parseOutput<{ entries: unknown[] }>('journal', readFileSync(r.journalPath, 'utf8'));
    expect(j.entries[0]).toMatchObject({ argv: io.calls[0], code: 0, undo: expect.arrayContaining(['-A', 'DOCKER']) });
    const u = await undoLatest({
      io,
      stateDir: d,
      fresh: async () => snapshotFromCapture('orphan-dnat-sameip/after-container-removed'),
    });
    expect(u.ran).toBe(1);
    expect(io.calls[1]?.slice(0, 6)).toEqual(['iptables-nft', '-w', '-t', 'nat', '-A', 'DOCKER']);
  });
  it('stops at the first failing step', async () => {
    const io = recordingIO((argv) => (argv[0] === 'iptables-nft' ? { code: 1, stderr: 'iptables: Bad rule' } : {}));
    const plan: Plan = { ...orphan(), steps: [orphan().steps[0]!, { argv: ['echo', 'never'], why: 'second step' }] };
    const r = await applyPlan(plan, {
      io,
      subject: 't',
      stateDir: dir(),
      fresh: async () => snapshotFromCapture('orphan-dnat/before-run'),
    });
    expect(r.failed).toMatch(/Bad rule/);
    expect(io.calls).toHaveLength(1);
  });
  it('never applies a suggestion', async () => {
    const host = plansFor('host-process', 18101).plans[0]!;
    await expect(
      applyPlan(host, {
        io: recordingIO(),
        subject: 't',
        stateDir: dir(),
        fresh: async () => snapshotFromCapture('host-process'),
      }),
    ).rejects.toThrow(/never applied/);
  });
  it("one lock per host: a second holder is refused while the first lives; a dead holder's lock is taken over", () => {
    const d = dir();
    const release = acquireLock(d);
    // same pid re-entering is our own run; simulate another live process holding it
    writeFileSync(join(d, 'fix.lock'), String(process.ppid));
    expect(() => acquireLock(d)).toThrow(LockBusy);
    writeFileSync(join(d, 'fix.lock'), '999999999');
    const r2 = acquireLock(d);
    // taken over: the lock now names this process, and releasing it removes it
    expect(readFileSync(join(d, 'fix.lock'), 'utf8').split(' ')[0]).toBe(String(process.pid));
    r2();
    expect(existsSync(join(d, 'fix.lock'))).toBe(false);
    release();
  });
});

describe('suggest-port', () => {
  it('skips ports held, allocated or DNATed, and the ephemeral range', () => {
    const snap = snapshotFromCapture('compose-duplicate');
    // 18801 and 18802 are published, 18803 is held by a host process
    expect(nearestFreePort(snap, 'tcp', null, 18802)).toBe(18804);
    expect(composeServiceOf('portlabdup_web-b_1', 'portlabdup')).toBe('web-b');
    expect(composeServiceOf('app-db-1', 'app')).toBe('db');
  });
});

describe('printed ways around a holder never overlap it', () => {
  const wild = (ip: string): boolean => ip === '0.0.0.0' || ip === '::';
  const overlaps = (a: string, b: string): boolean => a === b || wild(a) || wild(b);
  const cases: Array<[string, number, 'tcp' | 'udp', string | null]> = [
    ['host-process', 18101, 'tcp', null],
    ['host-process', 18101, 'tcp', '127.0.0.1'],
    ['host-process-loopback', 18102, 'tcp', null],
    ['host-process-loopback', 18102, 'tcp', '0.0.0.0'],
    ['host-process-v6only', 18103, 'tcp', null],
    ['host-process-v6dual', 18104, 'tcp', null],
    ['host-process-udp', 18105, 'udp', null],
    ['other-container', 18201, 'tcp', null],
    ['other-container', 18201, 'tcp', '127.0.0.1'],
    ['host-network-container', 18301, 'tcp', null],
    ['resolved-stub', 53, 'udp', null],
    ['resolved-stub', 53, 'tcp', null],
    ['killed-proxy', 18601, 'tcp', null],
  ];
  let checked = 0;
  afterAll(() => {
    // most lab cases print a way around; a test that checked none would prove nothing
    expect(checked).toBeGreaterThanOrEqual(10);
  });
  it.each(cases)('%s %i/%s on %s', (cap, port, proto, ip) => {
    const snap = snapshotFromCapture(cap);
    const d = diagnose(snap, { proto, ip, port });
    const free = nearestFreePort(snap, proto, ip, port, 7);
    const binds = d.findings.flatMap((f) => f.holders.flatMap((h) => ('bind' in h ? [h.bind] : [])));
    for (const plan of planRemedies(d, snap, { freePort: free })) {
      for (const s of plan.steps) {
        if (s.argv[0] !== 'docker' || s.argv[1] !== 'run') continue;
        checked++;
        const spec = s.argv[s.argv.indexOf('-p') + 1] as string;
        const m = /^(?:(\[[^\]]+\]|[\d.]+):)?(\d+):[^/]+(?:\/(udp|tcp))?$/.exec(spec);
        expect(m, spec).not.toBeNull();
        const hostIp = m?.[1]?.replace(/^\[|\]$/g, '') ?? '0.0.0.0';
        const hostPort = Number(m?.[2]);
        expect(m?.[3] ?? 'tcp').toBe(proto);
        for (const b of binds)
          if (b.proto === proto && b.port === hostPort)
            expect(overlaps(b.ip, hostIp), `${spec} overlaps the holder on ${b.ip}:${b.port}`).toBe(false);
        // and the suggestion itself would be free by the same rules
        expect(diagnose(snap, { proto, ip: hostIp, port: hostPort }).verdict.cause, spec).toBe('port-free');
      }
    }
  });
  it('a holder on 127.0.0.1 or a wildcard gets no 127.0.0.1 suggestion', () => {
    for (const [cap, port] of [
      ['host-process-loopback', 18102],
      ['host-process', 18101],
      ['other-container', 18201],
    ] as const) {
      const { plans } = plansFor(cap, port);
      expect(JSON.stringify(plans)).not.toMatch(new RegExp(`127\\.0\\.0\\.1:${port}:`));
    }
  });
});
