// Parsers on the raw files the lab recorded, including the ugly cases it found.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCgroup } from '../../src/collect/parse/cgroup.js';
import { configuredBindings, containerFromList } from '../../src/collect/parse/docker-api.js';
import { parseDockerProxyArgv } from '../../src/collect/parse/docker-proxy-argv.js';
import { parseIptablesSave, parseToDestination, tokenize } from '../../src/collect/parse/iptables-save.js';
import { parseNftJson, parseNftTextHandles } from '../../src/collect/parse/nft.js';
import { parseProcNet } from '../../src/collect/parse/proc-net.js';
import { parseSs } from '../../src/collect/parse/ss.js';
import { LAB } from '../helpers/lab-capture.js';

const cap = (p: string): string => readFileSync(join(LAB, p), 'utf8');

describe('/proc/net tables', () => {
  const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:46B5 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 12052 1 0000000000000000 100 0 0 10 0
   1: 0100007F:46B6 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 13136 1 0000000000000000 100 0 0 10 0
   2: 0100007F:A1B2 0100007F:46B5 01 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 100 0 0 10 0
`;
  it('decodes little-endian IPv4, ports, uid and inode; keeps only listeners for TCP', () => {
    const s = parseProcNet(tcp, 'tcp', 4);
    expect(s).toEqual([
      {
        proto: 'tcp',
        family: 4,
        ip: '0.0.0.0',
        port: 18101,
        v6only: null,
        state: 'LISTEN',
        uid: 0,
        inode: 12052,
        pids: [],
      },
      {
        proto: 'tcp',
        family: 4,
        ip: '127.0.0.1',
        port: 18102,
        v6only: null,
        state: 'LISTEN',
        uid: 1000,
        inode: 13136,
        pids: [],
      },
    ]);
  });
  it('filters by port without allocating the rest', () => {
    expect(parseProcNet(tcp, 'tcp', 4, new Set([18102])).map((s) => s.port)).toEqual([18102]);
  });
  it('decodes IPv6 words in host order, [::], ::1 and v4-mapped', () => {
    const t6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:46B7 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 14610 1
   1: 00000000000000000000000001000000:46B8 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 14611 1
   2: 0000000000000000FFFF00000100007F:46B9 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 14612 1
`;
    expect(parseProcNet(t6, 'tcp', 6).map((s) => s.ip)).toEqual(['::', '::1', '::ffff:127.0.0.1']);
  });
  it('UDP: unconnected sockets are UNCONN and all count', () => {
    const u = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  1: 3500007F:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 5690 2 0000000000000000 0
`;
    expect(parseProcNet(u, 'udp', 4)).toEqual([
      {
        proto: 'udp',
        family: 4,
        ip: '127.0.0.53',
        port: 53,
        v6only: null,
        state: 'UNCONN',
        uid: 101,
        inode: 5690,
        pids: [],
      },
    ]);
  });
});

describe('ss output', () => {
  it('tells dual-stack (*:P) from v6-only ([::]:P) in the lab captures', () => {
    const dual = parseSs(cap('host-process-v6dual/ss-tulpn.txt')).find((e) => e.port === 18104);
    const only = parseSs(cap('host-process-v6only/ss-tulpn.txt')).find((e) => e.port === 18103);
    expect(dual).toMatchObject({
      ip: '::',
      v6only: false,
      dualStack: true,
      users: [{ comm: 'python3', pid: 15819, fd: 3 }],
    });
    expect(only).toMatchObject({ ip: '::', v6only: true, dualStack: false, users: [{ pid: 14610 }] });
  });
  it('reads -e output (ino, explicit v6only) with or without the Netid column', () => {
    const e = parseSs(
      'LISTEN 0      128       *:29999    *:* ino:9264 sk:1 cgroup:/ v6only:0 <->\nLISTEN 0 128 [::]:29998 [::]:* ino:9265 sk:2 v6only:1 <->\n',
      'tcp',
    );
    expect(e.map((x) => [x.port, x.inode, x.v6only])).toEqual([
      [29999, 9264, false],
      [29998, 9265, true],
    ]);
  });
  it('reads a UDP holder named systemd-resolve', () => {
    expect(parseSs(cap('resolved-stub/ss-tulpn.txt'))[0]).toMatchObject({
      proto: 'udp',
      state: 'UNCONN',
      ip: '127.0.0.53',
      port: 53,
      users: [{ comm: 'systemd-resolve', pid: 5690 }],
    });
  });
});

describe('cgroup', () => {
  it('v1 /docker/<id> (host-network-container capture)', () => {
    const line = /cgroup=(.*)/.exec(cap('host-network-container/port-owners.txt'))?.[1] ?? '';
    expect(parseCgroup(line)).toMatchObject({
      containerId: 'e5ba4860dc52e61de1a31c94cbe3adc3ad7bfa57dd9441ef2e2520954180a633',
      runtime: 'docker',
    });
  });
  it('v2 systemd driver scope, podman, and a plain service unit', () => {
    const id = 'a'.repeat(64);
    expect(parseCgroup(`0::/system.slice/docker-${id}.scope\n`)).toMatchObject({ containerId: id, runtime: 'docker' });
    expect(parseCgroup(`0::/machine.slice/libpod-${id}.scope/container\n`)).toMatchObject({
      containerId: id,
      runtime: 'podman',
    });
    expect(parseCgroup('0::/system.slice/nginx.service\n')).toMatchObject({ containerId: null, unit: 'nginx.service' });
    expect(
      parseCgroup(
        '12:pids:/user.slice\n1:name=systemd:/system.slice/systemd-resolved.service\n0::/system.slice/systemd-resolved.service\n',
      ).unit,
    ).toBe('systemd-resolved.service');
  });
});

describe('docker-proxy argv', () => {
  it("parses dockerd's argv (captures/_env) and the 28+ -use-listen-fd flag", () => {
    const line =
      cap('_env/docker-proxy-ps.txt')
        .split('\n')
        .find((l) => l.includes('-host-ip ::')) ?? '';
    const argv = line.trim().split(/\s+/).slice(2);
    expect(parseDockerProxyArgv(argv)).toEqual({
      proto: 'tcp',
      hostIp: '::',
      hostPort: 18901,
      containerIp: '172.17.0.2',
      containerPort: 80,
      useListenFd: false,
    });
    expect(
      parseDockerProxyArgv([
        'docker-proxy',
        '-proto',
        'udp',
        '-host-ip',
        '127.0.0.1',
        '-host-port',
        '53',
        '-container-ip',
        '172.17.0.2',
        '-container-port',
        '53',
        '-use-listen-fd',
      ])?.useListenFd,
    ).toBe(true);
    expect(parseDockerProxyArgv(['docker-proxy', '-proto', 'tcp'])).toBeNull();
  });
});

describe('iptables-save', () => {
  it("reads Docker's published-port DNAT (captures/_env) with its full spec", () => {
    const v = parseIptablesSave(cap('_env/iptables-nft-save-nat.published.txt'), 'iptables-nft', 'ip');
    expect(v.hasDockerChain).toBe(true);
    expect(v.dnat).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          chain: 'DOCKER',
          proto: 'tcp',
          dport: 18901,
          daddr: null,
          toIp: '172.17.0.2',
          toPort: 80,
          reachable: true,
          spec: [
            '!',
            '-i',
            'docker0',
            '-p',
            'tcp',
            '-m',
            'tcp',
            '--dport',
            '18901',
            '-j',
            'DNAT',
            '--to-destination',
            '172.17.0.2:80',
          ],
        }),
        expect.objectContaining({ proto: 'udp', dport: 18902, daddr: '127.0.0.1', toPort: 81 }),
      ]),
    );
  });
  it("keeps rule order: the orphan comes before Docker's own rule", () => {
    const v = parseIptablesSave(cap('orphan-dnat/iptables-nft-save-nat.txt'), 'iptables-nft', 'ip');
    const r = v.dnat.filter((d) => d.dport === 18401);
    expect(r.map((x) => [x.toIp, x.position])).toEqual([
      ['172.17.0.250', 1],
      ['172.17.0.2', 2],
    ]);
  });
  it('survives "Table `nat\' is incompatible" and the legacy-tables warning', () => {
    const v = parseIptablesSave(cap('orphan-dnat-nft/iptables-nft-save-nat.txt'), 'iptables-nft', 'ip');
    expect(v.incompatible).toEqual(['ip nat']);
    expect(v.dnat).toEqual([]);
    expect(v.warnings[0]).toMatch(/iptables-legacy tables present/);
  });
  it('reads the legacy orphan and its reachability through PREROUTING → DOCKER', () => {
    const v = parseIptablesSave(cap('orphan-dnat-legacy/iptables-legacy-save.txt'), 'iptables-legacy', 'ip');
    expect(v.dnat).toEqual([
      expect.objectContaining({
        backend: 'iptables-legacy',
        chain: 'DOCKER',
        dport: 18403,
        toIp: '172.17.0.250',
        reachable: true,
      }),
    ]);
  });
  it('marks a DNAT in a chain nothing jumps to as unreachable, and handles quoted comments', () => {
    const t =
      '*nat\n:PREROUTING ACCEPT [0:0]\n:LOST - [0:0]\n-A LOST -p udp -m udp --dport 20001:20003 -m comment --comment "left over" -j DNAT --to-destination [fd00::2]:53\nCOMMIT\n';
    expect(parseIptablesSave(t, 'iptables-nft', 'ip6').dnat[0]).toMatchObject({
      reachable: false,
      dport: 20001,
      dportEnd: 20003,
      toIp: 'fd00::2',
      toPort: 53,
      comment: 'left over',
    });
    expect(tokenize('-A X -m comment --comment "a b\\"c" -j Y')).toEqual([
      '-A',
      'X',
      '-m',
      'comment',
      '--comment',
      'a b"c',
      '-j',
      'Y',
    ]);
    expect(parseToDestination('10.0.0.1')).toEqual({ ip: '10.0.0.1', port: null });
  });
});

describe('nft -j', () => {
  it('finds the native orphan (handle 508) and decodes the xtables DNAT target from the text listing', () => {
    const v = parseNftJson(cap('orphan-dnat-nft/nft-ruleset.json'), { text: cap('orphan-dnat-nft/nft-ruleset.txt') });
    const r = v.dnat.filter((d) => d.dport === 18404);
    expect(r.map((x) => [x.handle, x.toIp, x.position, x.reachable, x.priority])).toEqual([
      [508, '172.17.0.250', 1, true, -100],
      [509, '172.17.0.2', 2, true, -100],
    ]);
    expect(parseNftTextHandles(cap('orphan-dnat-nft/nft-ruleset.txt')).get('ip nat 508')).toBe(
      'iifname != "docker0" tcp dport 18404 counter dnat to 172.17.0.250:80',
    );
  });
  it('without the text, an xtables DNAT whose target JSON does not carry is skipped, never guessed', () => {
    const v = parseNftJson(cap('orphan-dnat-nft/nft-ruleset.json'));
    expect(v.dnat.map((x) => x.handle)).toEqual([508]);
  });
  it('reads a separate table at priority -110 (orphan-dnat-nft-table)', () => {
    const v = parseNftJson(cap('orphan-dnat-nft-table/nft-ruleset.json'), {
      skipTables: new Set(['ip nat', 'ip filter']),
    });
    expect(v.dnat.map((x) => [x.table, x.chain, x.priority, x.toIp])).toEqual([
      ['portlab_orphan', 'prerouting', -110, '172.17.0.250'],
      ['portlab_orphan', 'output', -110, '172.17.0.250'],
    ]);
  });
});

describe('Engine API JSON', () => {
  it('lists ports even for a failed-start Created container (the trap) and keeps compose labels', () => {
    const list = JSON.parse(cap('other-container-stopped/api-containers-all.json')) as unknown[];
    const failed = list.map(containerFromList).find((c) => c.name.endsWith('failed-start'));
    expect(failed).toMatchObject({
      state: 'created',
      published: [{ proto: 'tcp', hostIp: '0.0.0.0', hostPort: 18202, containerPort: 80 }, { hostIp: '::' }],
    });
    const compose = (JSON.parse(cap('compose-duplicate/api-containers-all.json')) as unknown[])
      .map(containerFromList)
      .find((c) => c.state === 'running');
    expect(compose).toMatchObject({ composeProject: expect.any(String), composeService: expect.any(String) });
  });
  it('HostConfig.PortBindings: empty HostIp means 0.0.0.0 and ::, ranges expand', () => {
    const b = configuredBindings({
      HostConfig: {
        PortBindings: {
          '80/tcp': [{ HostIp: '', HostPort: '20001-20002' }],
          '53/udp': [{ HostIp: '127.0.0.1', HostPort: '20053' }],
        },
        RestartPolicy: { Name: 'always' },
      },
    });
    expect(b.restartPolicy).toBe('always');
    expect(b.bindings).toEqual([
      { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 20001, containerPort: 80 },
      { proto: 'tcp', hostIp: '::', hostPort: 20001, containerPort: 80 },
      { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 20002, containerPort: 80 },
      { proto: 'tcp', hostIp: '::', hostPort: 20002, containerPort: 80 },
      { proto: 'udp', hostIp: '127.0.0.1', hostPort: 20053, containerPort: 53 },
    ]);
  });
});
