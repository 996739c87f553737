// Engines and backends this machine cannot run, proven on golden fixtures: Docker 29's nftables
// backend (rules loaded into a private netns by the real nft: scripts/make-engine-fixtures.sh),
// Docker 28's iptables layout and dockerd-owned sockets, split brain by hook priority, WSL1/WSL2 on
// fake /proc roots, rootless Docker (port drivers, the 29.0.0-29.1.1 regression) and Podman.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectHost } from '../../src/collect/host.js';
import { nodeHostIO } from '../../src/collect/host-io.js';
import { parseIptablesSave } from '../../src/collect/parse/iptables-save.js';
import { parseNftJson } from '../../src/collect/parse/nft.js';
import { diagnose, engineLine } from '../../src/diagnose.js';
import { planRemedies } from '../../src/remedy/plan.js';
import { symptomFrom } from '../../src/symptom.js';
import { container, proc, snapshot, sock } from '../helpers/snapshot-builder.js';

const F = (p: string) => fileURLToPath(new URL(`../fixtures/${p}`, import.meta.url));
const nft29 = parseNftJson(readFileSync(F('engines/docker29-nftables.json'), 'utf8'), {
  text: readFileSync(F('engines/docker29-nftables.txt'), 'utf8'),
});
const c2 = container(
  'a2',
  'web',
  '172.17.0.2',
  [
    ['0.0.0.0', 8080, 80],
    ['::', 8080, 80],
  ],
  { ips: ['172.17.0.2', 'fd49:efd7:54aa::2'] },
);
const c3 = container('a3', 'admin', '172.17.0.3', [['127.0.0.1', 9090, 90]]);
const proxies = [
  proc(
    1001,
    'docker-proxy',
    [
      '/usr/bin/docker-proxy',
      '-proto',
      'tcp',
      '-host-ip',
      '0.0.0.0',
      '-host-port',
      '8080',
      '-container-ip',
      '172.17.0.2',
      '-container-port',
      '80',
      '-use-listen-fd',
    ],
    { ppid: 900 },
  ),
  proc(
    1002,
    'docker-proxy',
    [
      '/usr/bin/docker-proxy',
      '-proto',
      'tcp',
      '-host-ip',
      '::',
      '-host-port',
      '8080',
      '-container-ip',
      'fd49:efd7:54aa::2',
      '-container-port',
      '80',
      '-use-listen-fd',
    ],
    { ppid: 900 },
  ),
  proc(
    1003,
    'docker-proxy',
    [
      '/usr/bin/docker-proxy',
      '-proto',
      'tcp',
      '-host-ip',
      '127.0.0.1',
      '-host-port',
      '9090',
      '-container-ip',
      '172.17.0.3',
      '-container-port',
      '90',
      '-use-listen-fd',
    ],
    { ppid: 900 },
  ),
];
const proxySockets = [
  sock('tcp', '0.0.0.0', 8080, [1001]),
  sock('tcp', '::', 8080, [1002]),
  sock('tcp', '127.0.0.1', 9090, [1003]),
];
const docker29 = (over = {}) =>
  snapshot({
    engine: { version: '29.1.3', firewallBackend: 'nftables' },
    containers: [c2, c3],
    sockets: proxySockets,
    processes: proxies,
    nft: nft29,
    ...over,
  });

describe('Docker 29 nftables backend (docker-bridges)', () => {
  it('parses the DNAT rules of nat-prerouting-and-output, reachable from the dstnat hooks, IPv4 and IPv6', () => {
    expect(
      nft29.dnat.map((r) => [
        r.family,
        r.table,
        r.chain,
        r.dport,
        r.daddr,
        r.toIp,
        r.toPort,
        r.comment,
        r.reachable,
        r.priority,
      ]),
    ).toEqual([
      ['ip', 'docker-bridges', 'nat-prerouting-and-output', 8080, null, '172.17.0.2', 80, 'DNAT', true, -100],
      ['ip', 'docker-bridges', 'nat-prerouting-and-output', 9090, '127.0.0.1', '172.17.0.3', 90, 'DNAT', true, -100],
      ['ip', 'docker-bridges', 'nat-prerouting-and-output', 8081, null, '172.17.0.250', 80, 'DNAT', true, -100],
      ['ip6', 'docker-bridges', 'nat-prerouting-and-output', 8080, null, 'fd49:efd7:54aa::2', 80, 'DNAT', true, -100],
    ]);
    expect(nft29.hasDockerChain).toBe(true);
  });
  it('matches rules to containers: 8080 and 127.0.0.1:9090 are theirs, 8081 is an orphan deleted by handle', () => {
    const s = docker29();
    expect(engineLine(s)).toMatch(/Docker 29\.1\.3 .*firewall backend nftables/);
    expect(diagnose(s, { proto: 'tcp', ip: null, port: 8080 }).verdict.cause).toBe('container');
    expect(diagnose(s, { proto: 'tcp', ip: '127.0.0.1', port: 9090 }).holders[0]).toMatchObject({
      kind: 'container',
      name: 'admin',
    });
    const d = diagnose(s, { proto: 'tcp', ip: null, port: 8081 });
    expect(d.verdict.cause).toBe('orphan-dnat');
    expect(d.holders[0]).toMatchObject({
      kind: 'rule',
      backend: 'nft',
      table: 'docker-bridges',
      chain: 'nat-prerouting-and-output',
      handle: 23,
      toIp: '172.17.0.250',
    });
    expect(d.findings[0]?.data.dockerBackend).toBe('nft');
    expect(planRemedies(d, s)[0]?.steps[0]?.argv).toEqual([
      'nft',
      'delete',
      'rule',
      'ip',
      'docker-bridges',
      'nat-prerouting-and-output',
      'handle',
      '23',
    ]);
  });
  it('after a switch to nftables, a DNAT left in iptables-nft DOCKER is an orphan in the same nf_tables world; one in iptables-legacy is split brain', () => {
    const left = parseIptablesSave(
      '*nat\n:PREROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n-A DOCKER ! -i docker0 -p tcp -m tcp --dport 7070 -j DNAT --to-destination 172.17.0.9:80\nCOMMIT\n',
      'iptables-nft',
      'ip',
    );
    expect(diagnose(docker29({ iptablesNft: left }), { proto: 'tcp', ip: null, port: 7070 }).verdict.cause).toBe(
      'orphan-dnat',
    );
    const legacy = parseIptablesSave(
      '*nat\n:PREROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n-A DOCKER ! -i docker0 -p tcp -m tcp --dport 7070 -j DNAT --to-destination 172.17.0.9:80\nCOMMIT\n',
      'iptables-legacy',
      'ip',
    );
    const d = diagnose(docker29({ iptablesLegacy: legacy }), { proto: 'tcp', ip: null, port: 7070 });
    expect(d.verdict.cause).toBe('firewall-split-brain');
    expect(d.findings[0]).toMatchObject({ messageId: 'otherBackend', data: { dockerBackend: 'nft' } });
  });
  it('a 29.x error is read as host-bind and sharpens the verdict', () => {
    const s = symptomFrom(
      'Error response from daemon: failed to set up container networking: driver failed programming external connectivity on endpoint x (y): failed to bind host port 127.0.0.1:9090/tcp: address already in use',
    );
    expect(s).toMatchObject({ stage: 'host-bind', ip: '127.0.0.1', port: 9090, proto: 'tcp' });
  });
});

describe('Docker 28 iptables layout', () => {
  const v = parseIptablesSave(readFileSync(F('engines/docker28-iptables-nat.txt'), 'utf8'), 'iptables-nft', 'ip');
  it('reads the nat DNATs (the raw-table direct-access drops are not DNAT)', () => {
    expect(v.dnat.map((r) => [r.dport, r.daddr, r.toIp])).toEqual([
      [8080, null, '172.17.0.2'],
      [9090, '127.0.0.1', '172.17.0.3'],
      [8081, null, '172.17.0.250'],
    ]);
    expect(v.tables).toEqual(['ip nat', 'ip raw']);
  });
  it('with userland-proxy=false dockerd itself holds the socket: a 127.0.0.1 request against it is a container, not a host process', () => {
    // 28.0-28.2: the allocator keys on the exact IP, so the kernel refuses 127.0.0.1 next to 0.0.0.0
    const s = snapshot({
      engine: { version: '28.2.2', userlandProxy: false },
      containers: [c2],
      iptablesNft: v,
      sockets: [sock('tcp', '0.0.0.0', 8080, [900])],
    });
    const d = diagnose(
      s,
      { proto: 'tcp', ip: '127.0.0.1', port: 8080 },
      symptomFrom('failed to bind host port for 127.0.0.1:8080:172.17.0.5:80/tcp: address already in use'),
    );
    expect(d.verdict.cause).toBe('container');
    expect(d.holders[0]).toMatchObject({ kind: 'container', name: 'web', comm: 'dockerd' });
    expect(diagnose(s, { proto: 'tcp', ip: null, port: 8081 }).verdict.cause).toBe('orphan-dnat');
  });

  it('from 28.3 the allocator itself refuses 127.0.0.1:P while a container maps 0.0.0.0:P ("port is already allocated")', () => {
    const s = snapshot({
      engine: { version: '28.5.2', userlandProxy: false },
      containers: [c2],
      iptablesNft: v,
      sockets: [sock('tcp', '0.0.0.0', 8080, [900])],
    });
    const d = diagnose(s, { proto: 'tcp', ip: '127.0.0.1', port: 8080 });
    expect(d.verdict.cause).toBe('container');
    expect(d.findings[0]).toMatchObject({ rule: 'port-allocated-to-container', data: { stage: 'port-allocator' } });
    expect(d.findings[0]?.data).toMatchObject({ bind: '127.0.0.1:8080/tcp', via: '0.0.0.0:8080/tcp' });
    // the same request on 28.2 reaches the kernel instead
    const old = diagnose(
      { ...s, engine: { ...s.engine, ...(s.engine.ok ? { value: { ...s.engine.value, version: '28.2.2' } } : {}) } },
      { proto: 'tcp', ip: '127.0.0.1', port: 8080 },
    );
    expect(old.findings[0]?.rule).toBe('port-bound-by-container-on-other-ip');
  });
});

describe('split brain decided by hook priority, not rule order', () => {
  it('an orphan in its own nft table at priority -110 is reported with the priority that makes it win', () => {
    const t = parseNftJson(readFileSync(F('lab/orphan-dnat-nft-table/nft-ruleset.json'), 'utf8'), {
      skipTables: new Set(['ip nat', 'ip filter']),
    });
    const d = diagnose(
      snapshot({ nft: t, containers: [container('b1', 'victim', '172.17.0.2', [['0.0.0.0', 18405, 80]])] }),
      { proto: 'tcp', ip: null, port: 18405 },
    );
    expect(d.verdict.cause).toBe('orphan-dnat');
    expect(d.findings[0]?.data).toMatchObject({ priority: -110 });
  });
});

describe('WSL1 / WSL2 on fake /proc roots', () => {
  const host = (dir: string, env: Record<string, string> = {}) => {
    const h = collectHost(nodeHostIO({ root: F(`hosts/${dir}`), env }));
    if (!h.ok) throw new Error('no host');
    return h.value;
  };
  it('tells WSL1, WSL2, an old 4.19 WSL2 kernel and plain Linux apart, and whether legacy iptables can run', () => {
    expect(host('wsl1')).toMatchObject({ wsl: 1, kernel: '4.4.0-19041-Microsoft' });
    expect(host('wsl2', { WSL_INTEROP: '/run/WSL/1_interop' })).toMatchObject({
      wsl: 2,
      legacySupported: true,
      legacyTables: { ip: ['nat'] },
    });
    expect(host('wsl2-old', { WSL_INTEROP: '/run/WSL/8_interop' }).wsl).toBe(2);
    // lower-case "microsoft" is WSL2 even on the old 4.19 kernels without the -WSL2 suffix (WSL1 says "Microsoft")
    expect(host('wsl2-old').wsl).toBe(2);
    expect(host('wsl2-nolegacy')).toMatchObject({ wsl: 2, legacySupported: false });
    expect(host('linux')).toMatchObject({ wsl: 0, legacySupported: true });
  });
  it('proposes the switch to legacy only where the kernel can run legacy', () => {
    const legacy = parseIptablesSave(
      readFileSync(F('lab/orphan-dnat-legacy/iptables-legacy-save.txt'), 'utf8'),
      'iptables-legacy',
      'ip',
    );
    const mk = (dir: string) =>
      snapshot({
        host: host(dir, { WSL_INTEROP: 'x' }),
        iptablesLegacy: legacy,
        engine: { version: '20.10.24', iptablesVariant: 'nft' },
      });
    const remedies = (dir: string) => {
      const s = mk(dir);
      return planRemedies(diagnose(s, { proto: 'tcp', ip: null, port: 18403 }), s).map((p) => p.remedy);
    };
    const d = diagnose(mk('wsl2'), { proto: 'tcp', ip: null, port: 18403 });
    expect(d.findings[0]).toMatchObject({ messageId: 'otherBackend', data: { wsl: true } });
    expect(remedies('wsl2')).toEqual(['delete-orphan-dnat', 'wsl-switch-to-legacy', 'restart-dockerd']);
    expect(remedies('wsl2-nolegacy')).toEqual(['delete-orphan-dnat', 'restart-dockerd']);
  });
});

describe('rootless Docker', () => {
  const rl = (version: string, driver: string | null) =>
    snapshot({
      engine: {
        version,
        rootless: true,
        securityOptions: ['name=seccomp,profile=builtin', 'name=rootless'],
        rootlessPortDriver: driver,
        rootlessNet: 'slirp4netns',
      },
    });
  const err = symptomFrom(
    'Error response from daemon: failed to set up container networking: driver failed programming external connectivity on endpoint a (b): failed to bind host port 10.0.2.100:3000/tcp: address already in use',
  );
  it('29.0.0-29.1.1 with the slirp4netns port driver: the regression, whoever holds the port (moby#51591)', () => {
    const d = diagnose(rl('29.0.4', 'slirp4netns'), { proto: 'tcp', ip: null, port: 3000 }, err);
    expect(d.verdict).toMatchObject({ cause: 'rootless-regression', confidence: 'certain' });
    expect(d.findings[0]).toMatchObject({
      messageId: 'regression',
      data: { version: '29.0.4', first: '29.0.0', last: '29.1.1', fixed: '29.1.2' },
    });
    expect(engineLine(rl('29.0.4', 'slirp4netns'))).toMatch(/rootless \(port driver slirp4netns, net slirp4netns\)/);
    expect(planRemedies(d, rl('29.0.4', 'slirp4netns'))[0]).toMatchObject({
      remedy: 'upgrade-rootless-engine',
      safety: 'suggest',
      warnings: [expect.stringMatching(/pasta.*implicit/)],
    });
  });
  it('not with 29.1.2, not with the implicit (pasta) or builtin driver, "likely" when the driver is unknown', () => {
    expect(diagnose(rl('29.1.2', 'slirp4netns'), { proto: 'tcp', ip: null, port: 3000 }, err).verdict.cause).not.toBe(
      'rootless-regression',
    );
    expect(diagnose(rl('29.0.1', 'implicit'), { proto: 'tcp', ip: null, port: 3000 }, err).verdict.cause).not.toBe(
      'rootless-regression',
    );
    expect(diagnose(rl('28.5.2', 'slirp4netns'), { proto: 'tcp', ip: null, port: 3000 }, err).verdict.cause).not.toBe(
      'rootless-regression',
    );
    expect(diagnose(rl('29.0.1', null), { proto: 'tcp', ip: null, port: 3000 }).verdict).toMatchObject({
      cause: 'rootless-regression',
      confidence: 'likely',
    });
  });
  it('rootlesskit / slirp4netns / pasta hold published ports: the container behind them is the holder', () => {
    const web = container('c1', 'web', '10.0.2.100', [['0.0.0.0', 8080, 80]]);
    for (const comm of ['rootlesskit', 'slirp4netns', 'pasta.avx2']) {
      const s = snapshot({
        engine: { version: '28.5.2', rootless: true, rootlessPortDriver: 'builtin' },
        containers: [web],
        sockets: [sock('tcp', '0.0.0.0', 8080, [2000], { uid: 1000 })],
        processes: [proc(2000, comm, [comm], { uid: 1000 })],
      });
      const d = diagnose(s, { proto: 'tcp', ip: null, port: 8080 });
      expect(d.verdict.cause, comm).toBe('container');
      expect(d.holders[0]).toMatchObject({ kind: 'container', name: 'web' });
      expect(d.findings.find((f) => f.rule === 'port-held-by-forwarder')?.holders[0]).toMatchObject({
        kind: 'container',
        name: 'web',
        pid: 2000,
        comm,
      });
    }
    // another user's rootless engine: its containers are not in this API
    const other = snapshot({
      sockets: [sock('tcp', '0.0.0.0', 8080, [2001], { uid: 1001 })],
      processes: [proc(2001, 'rootlesskit', ['rootlesskit', '--port-driver=builtin'], { uid: 1001 })],
    });
    const d = diagnose(other, { proto: 'tcp', ip: null, port: 8080 });
    expect(d.verdict).toMatchObject({ cause: 'container', confidence: 'likely' });
    expect(d.findings[0]).toMatchObject({ messageId: 'forOtherEngine', data: { uid: 1001, comm: 'rootlesskit' } });
  });
});

describe('Podman', () => {
  it("rootful Podman: conmon holds the published port; the container from Podman's Docker-compatible API is named", () => {
    const id = 'f'.repeat(64);
    const s = snapshot({
      engine: { version: '4.3.1', operatingSystem: 'debian' },
      containers: [container('f', 'pod-web', '10.88.0.5', [['0.0.0.0', 8080, 80]])],
      sockets: [sock('tcp', '0.0.0.0', 8080, [3000])],
      processes: [
        proc(3000, 'conmon', ['/usr/bin/conmon', '--api-version', '1', '-c', id], {
          containerId: id,
          cgroup: `0::/machine.slice/libpod-conmon-${id}.scope`,
        }),
      ],
    });
    const d = diagnose(
      s,
      { proto: 'tcp', ip: null, port: 8080 },
      symptomFrom('Error: cannot listen on the TCP port: listen tcp4 :8080: bind: address already in use'),
    );
    expect(d.verdict.cause).toBe('container');
    expect(d.holders[0]).toMatchObject({ kind: 'container', name: 'pod-web', comm: 'conmon' });
    expect(d.symptom).toMatchObject({ stage: 'host-bind', port: 8080 });
  });
  it('rootless Podman: rootlessport holds it', () => {
    const s = snapshot({
      sockets: [sock('tcp', '0.0.0.0', 8080, [3100], { uid: 1000 })],
      processes: [proc(3100, 'rootlessport', ['rootlessport'], { uid: 1000 })],
    });
    expect(
      diagnose(
        s,
        { proto: 'tcp', ip: null, port: 8080 },
        symptomFrom('Error: rootlessport listen tcp 0.0.0.0:8080: bind: address already in use'),
      ).verdict.summary,
    ).toMatch(/rootlessport/);
  });
});
