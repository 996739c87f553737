// The bind probe and the engine tables, on snapshots recorded by test/live/probe.test.ts on Docker
// 20.10.24 and 28.5.2 (test/fixtures/probe/<engine>/<scenario>.{snapshot,expect}.json: the host as
// diagnose saw it, then what `docker run -p` did on that engine in the same run).
import { describe, expect, it } from 'vitest';
import { probeBinds, parseBoundOnly } from '../../src/collect/probe.js';
import type { HostIO } from '../../src/collect/host-io.js';
import { diagnose } from '../../src/diagnose.js';
import { hostBinder, knownBadFor, semanticsFor } from '../../src/engines/index.js';
import type { EngineInfo, Snapshot } from '../../src/model.js';
import { kernelOverlap } from '../../src/util/ip.js';
import { probeCases, type ProbeCase } from '../helpers/probe-cases.js';
import { ENGINE, NO_PROBE, proc, snapshot, sock } from '../helpers/snapshot-builder.js';

describe('recorded on the real engines: the verdict is what the engine did', () => {
  const cases = probeCases();
  it('both engines and all four shapes were recorded', () => {
    expect(new Set(cases.map((c) => c.engine))).toEqual(new Set(['docker-20.10.24', 'docker-28.5.2']));
    expect(cases).toHaveLength(8);
  });
  for (const c of cases) {
    it(`${c.engine} ${c.name}: docker run ${c.expect.run === 'published' ? 'published' : 'was refused'} → ${c.expect.cause}`, () => {
      const d = diagnose(c.snap, { proto: c.expect.proto, ip: null, port: c.expect.port });
      expect(d.verdict.cause).toBe(c.expect.cause);
      if (c.expect.run === 'published') expect(d.verdict.confidence).toBe('certain');
      else {
        expect(c.expect.run).toMatch(/address already in use/);
        expect(d.holders[0]).toMatchObject({ kind: 'process', pid: c.expect.pid });
      }
      const f = d.findings.find((x) => x.rule === 'bind-probe');
      expect(f?.evidence.map((e) => e.fact)).toContain('probe');
    });
  }

  it('UDP beside the stub: 28.5.2 publishes (SO_REUSEADDR on both), 20.10 refuses; the model alone cannot tell on 28', () => {
    const by = (e: string) => cases.find((c) => c.engine === e && c.name === 'udp-beside-stub')!;
    const new28 = by('docker-28.5.2');
    const old = by('docker-20.10.24');
    const q = (c: ProbeCase) => ({ proto: 'udp' as const, ip: null, port: c.expect.port });
    expect(diagnose(new28.snap, q(new28)).verdict).toMatchObject({ cause: 'port-free', confidence: 'certain' });
    expect(diagnose(old.snap, q(old)).verdict).toMatchObject({ cause: 'resolved-stub', confidence: 'certain' });
    // --no-probe / an old snapshot: 28's UDP SO_REUSEADDR makes the stub's own flag decide, unseen
    const blind = diagnose({ ...new28.snap, probe: NO_PROBE }, q(new28));
    expect(blind.verdict.cause).toBe('unknown');
    expect(blind.findings[0]).toMatchObject({
      rule: 'resolved-stub',
      confidence: 'possible',
      data: { reuseDependent: true },
    });
    expect(diagnose({ ...old.snap, probe: NO_PROBE }, q(old)).verdict).toMatchObject({
      cause: 'resolved-stub',
      confidence: 'certain',
    });
  });

  it('a refusal nobody explains is "unknown" and says what was looked at', () => {
    const c = cases.find((x) => x.engine === 'docker-28.5.2' && x.name === 'bound-no-reuseaddr')!;
    const p = c.snap.probe.ok ? c.snap.probe.value : null;
    const hidden: Snapshot = { ...c.snap, probe: { ok: true, source: 'test', value: { ...p!, portSockets: [] } } };
    const d = diagnose(hidden, { proto: 'tcp', ip: null, port: c.expect.port });
    expect(d.verdict.cause).toBe('unknown');
    expect(d.findings[0]).toMatchObject({
      rule: 'bind-refused-unexplained',
      messageId: 'unexplained',
      data: { errno: 'EADDRINUSE', bind: `0.0.0.0:${c.expect.port}/tcp` },
    });
    expect(String(d.findings[0]?.data.looked)).toMatch(/every state.*bound-only/);
  });
});

describe('the probe disagrees with the model: the verdict follows the kernel, and says so', () => {
  it('a listener the kernel did not weigh (it just left): port-free, likely, naming it', () => {
    const s = snapshot({
      engine: { version: '28.5.2' },
      sockets: [sock('tcp', '0.0.0.0', 24100, [4242])],
      processes: [proc(4242, 'nginx')],
      probe: {
        ok: true,
        source: 'test',
        value: {
          engine: 'docker-28.3',
          binder: 'dockerd',
          binds: ['0.0.0.0', '::'].map((ip) => ({
            proto: 'tcp' as const,
            ip,
            port: 24100,
            reuseAddr: true,
            v6only: ip === '::',
            outcome: 'free' as const,
            errno: null,
          })),
          skipped: [],
          portSockets: [],
          looked: [],
        },
      },
    });
    const d = diagnose(s, { proto: 'tcp', ip: null, port: 24100 });
    expect(d.verdict).toMatchObject({ cause: 'port-free', confidence: 'likely' });
    expect(d.findings.find((f) => f.rule === 'bind-probe')).toMatchObject({
      confidence: 'likely',
      data: { disagrees: true, overruled: 'nginx (pid 4242) on 0.0.0.0:24100/tcp' },
    });
  });
});

describe('engine tables', () => {
  const e = (x: Partial<EngineInfo>): EngineInfo => ({ ...ENGINE, ...x });
  it.each([
    ['20.10.24+dfsg1', 'docker-20.10', 'exact-ip', false],
    ['27.5.1', 'docker-20.10', 'exact-ip', false],
    ['28.0.4', 'docker-28.0', 'exact-ip', true],
    ['28.2.2', 'docker-28.0', 'exact-ip', true],
    ['28.5.2+dfsg4', 'docker-28.3', 'ip-or-family-wildcard', true],
    ['29.1.3', 'docker-29', 'ip-or-family-wildcard', false],
  ])('Docker %s → %s, allocator %s, UDP SO_REUSEADDR %s', (version, id, alloc, udpReuse) => {
    const s = semanticsFor(e({ version }))!;
    expect(s.id).toBe(id);
    expect(s.allocator).toBe(alloc);
    expect(hostBinder(s, e({ version })).opts?.udp.reuseAddr).toBe(udpReuse);
    expect(hostBinder(s, e({ version })).opts?.tcp).toEqual({ reuseAddr: true, v6only: true });
  });
  it('who binds: docker-proxy before 28, dockerd from 28 (and with userland-proxy=false)', () => {
    expect(hostBinder(semanticsFor(e({ version: '20.10.24' }))!, e({ version: '20.10.24' })).bindsIt).toBe(
      'docker-proxy',
    );
    expect(hostBinder(semanticsFor(e({ version: '28.5.2' }))!, e({ version: '28.5.2' })).bindsIt).toBe('dockerd');
    const np = e({ version: '20.10.24', userlandProxy: false });
    expect(hostBinder(semanticsFor(np)!, np).holder).toBe('dockerd');
  });
  it('rootless: the port driver binds the host side; pasta is not imitated; moby#51591 only for slirp4netns 29.0.0-29.1.1', () => {
    const rl = (version: string, rootlessPortDriver: string | null) =>
      e({ version, rootless: true, rootlessPortDriver });
    expect(semanticsFor(rl('28.5.2', 'builtin'))!.binder.holder).toBe('rootlesskit');
    expect(semanticsFor(rl('28.5.2', 'builtin'))!.childBinder?.netns).toBe('child');
    expect(semanticsFor(rl('29.1.0', 'implicit'))!.binder.opts).toBeNull();
    expect(knownBadFor(semanticsFor(rl('29.1.1', 'slirp4netns')), rl('29.1.1', 'slirp4netns'))[0]?.issue).toBe(
      'moby/moby#51591',
    );
    expect(knownBadFor(semanticsFor(rl('29.1.2', 'slirp4netns')), rl('29.1.2', 'slirp4netns'))).toEqual([]);
    expect(knownBadFor(semanticsFor(rl('29.1.1', 'builtin')), rl('29.1.1', 'builtin'))).toEqual([]);
    expect(knownBadFor(semanticsFor(e({ version: '29.1.1' })), e({ version: '29.1.1' }))).toEqual([]);
  });
  it('Podman 4 and 5: conmon holds what libpod bound; rootless 5 is pasta', () => {
    expect(semanticsFor(e({ version: '4.3.1', product: 'podman' }))!.binder.holder).toBe('conmon');
    expect(semanticsFor(e({ version: '5.2.0', product: 'podman', rootless: true }))!.binder.holder).toBe('pasta');
    expect(semanticsFor(e({ version: '4.3.1', product: 'podman', rootless: true }))!.binder.holder).toBe(
      'rootlessport',
    );
    expect(semanticsFor(e({ version: 'dev' }))).toBeNull();
  });
});

describe('probe collector (fake kernel)', () => {
  const io = (answer: (ip: string, proto: string) => string | null): HostIO =>
    ({ bindProbe: (a: { ip: string; proto: string }) => answer(a.ip, a.proto) }) as unknown as HostIO;
  it('binds each default host IP with the table options and maps errno to an outcome', () => {
    const r = probeBinds(
      io((ip) => (ip === '0.0.0.0' ? 'EADDRINUSE' : null)),
      [{ proto: 'udp', ip: null, port: 24050 }],
      { ...ENGINE, version: '20.10.24' },
    );
    expect(r.binder).toBe('docker-proxy');
    expect(r.binds).toEqual([
      {
        proto: 'udp',
        ip: '0.0.0.0',
        port: 24050,
        reuseAddr: false,
        v6only: false,
        outcome: 'in-use',
        errno: 'EADDRINUSE',
      },
      { proto: 'udp', ip: '::', port: 24050, reuseAddr: false, v6only: true, outcome: 'free', errno: null },
    ]);
  });
  it('does not probe what it cannot imitate: unknown engine, pasta, the rootless child namespace, a replayed host', () => {
    expect(
      probeBinds(
        io(() => null),
        [{ proto: 'tcp', ip: null, port: 1 }],
        null,
      ).skipped[0]?.why,
    ).toMatch(/engine could not be read/);
    const pasta = probeBinds(
      io(() => null),
      [{ proto: 'tcp', ip: '0.0.0.0', port: 1 }],
      {
        ...ENGINE,
        rootless: true,
        rootlessPortDriver: 'implicit',
      },
    );
    expect(pasta.binds).toEqual([]);
    expect(pasta.skipped.map((s) => s.why).join('\n')).toMatch(/pasta.*not known[\s\S]*child network namespace/);
    const replay = probeBinds({} as HostIO, [{ proto: 'tcp', ip: '0.0.0.0', port: 1 }], ENGINE);
    expect(replay.skipped[0]?.why).toMatch(/cannot bind/);
  });
  it('parses the sock_diag bound-only dump', () => {
    expect(parseBoundOnly('4 7 0 66729 127.0.0.1 24996\n6 7 1000 66730 ::1 24996\n')).toMatchObject([
      { proto: 'tcp', family: 4, ip: '127.0.0.1', state: 'BOUND', inode: 66729, uid: 0 },
      { family: 6, ip: '::1', inode: 66730, uid: 1000 },
    ]);
  });
});

describe('kernelOverlap', () => {
  const req = { proto: 'udp' as const, ip: '0.0.0.0', port: 53 };
  const stub = sock('udp', '127.0.0.53', 53, [1]);
  it('a requester without SO_REUSEADDR collides with any bound UDP socket; with it, only the kernel can tell', () => {
    expect(kernelOverlap(req, stub, false)).toEqual({ overlap: 'yes', reuseDependent: false });
    expect(kernelOverlap(req, stub, true)).toEqual({ overlap: 'yes', reuseDependent: true });
    expect(kernelOverlap(req, stub, null)).toEqual({ overlap: 'yes', reuseDependent: true });
  });
  it('a TCP listener always collides; a bound-only or TIME-WAIT socket depends on the holder', () => {
    const t = { proto: 'tcp' as const, ip: '0.0.0.0', port: 80 };
    expect(kernelOverlap(t, sock('tcp', '127.0.0.1', 80, [1]), true).reuseDependent).toBe(false);
    expect(kernelOverlap(t, sock('tcp', '127.0.0.1', 80, [1], { state: 'BOUND' }), true)).toEqual({
      overlap: 'yes',
      reuseDependent: true,
    });
    expect(kernelOverlap(t, sock('tcp', '127.0.0.2', 81, [], { state: 'TIME-WAIT' }), true).overlap).toBe('no');
    expect(kernelOverlap({ ...t, ip: '::' }, sock('tcp', '127.0.0.1', 80, [1], { state: 'BOUND' }), true).overlap).toBe(
      'no',
    );
  });
});
