// Every collector against a fake host (test/helpers/fault-io.ts) whose files, commands or Engine API
// fail as a real host fails: permission denied, not there, a timeout, garbage output. Each collector
// returns a Fact with a named error code (never throws, never answers with a value the host did not
// give: an unreadable or garbled table is not an empty one).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectDocker } from '../../src/collect/docker.js';
import { collectEngineBinaries } from '../../src/collect/engine-binaries.js';
import { collectIptablesLegacy, collectIptablesNft, collectNft } from '../../src/collect/firewall.js';
import { collectHost } from '../../src/collect/host.js';
import { collectDockerNetworks, collectRouting } from '../../src/collect/network.js';
import { collectPodman } from '../../src/collect/other-engines.js';
import { scanOwners } from '../../src/collect/processes.js';
import { collectSockets } from '../../src/collect/sockets.js';
import type { Fact, Proc, Socket } from '../../src/model.js';
import { faultIO, type Channel, type FakeHost, type Fault } from '../helpers/fault-io.js';
import { LAB } from '../helpers/lab-capture.js';

const lab = (f: string) => readFileSync(`${LAB}${f}`, 'utf8');
const HDR = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
// 0.0.0.0:8080 LISTEN, inode 4242; [::]:8080 LISTEN, inode 4243
const TCP = `${HDR}   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0\n`;
const TCP6 = `${HDR}   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4243 1 0000000000000000 100 0 0 10 0\n`;

const HOST: FakeHost = {
  files: {
    '/proc/net/tcp': TCP,
    '/proc/net/tcp6': TCP6,
    '/proc/net/udp': HDR,
    '/proc/net/udp6': HDR,
    '/proc/net/sockstat': 'sockets: used 10\nTCP: inuse 2 orphan 0 tw 0 alloc 2 mem 1\nUDP: inuse 0 mem 0\n',
    '/proc/sys/kernel/osrelease': '6.1.0-27-amd64\n',
    '/proc/version': 'Linux version 6.1.0-27-amd64 (debian-kernel@lists.debian.org)\n',
    '/proc/sys/net/ipv6/bindv6only': '0\n',
    '/proc/net/ip_tables_names': 'nat\nfilter\n',
    '/proc/100/status': 'Name:\tpython3\nPPid:\t1\nUid:\t0\t0\t0\t0\n',
    '/proc/100/comm': 'python3\n',
    '/proc/100/cmdline': 'python3\0-m\0http.server\x008080\0',
    '/proc/100/cgroup': '0::/user.slice/session-1.scope\n',
    '/proc/1/status': 'Name:\tsystemd\nPPid:\t0\nUid:\t0\t0\t0\t0\n',
    '/proc/1/comm': 'systemd\n',
    '/proc/1/cmdline': '/sbin/init\0',
    '/proc/77/comm': 'dockerd\n',
    '/proc/77/cmdline': 'dockerd\0',
    '/usr/libexec/docker/docker-proxy': '',
  },
  links: {
    '/proc/100/fd/3': 'socket:[4242]',
    '/proc/100/fd/4': 'socket:[4243]',
    '/proc/100/ns/net': 'net:[4026531840]',
    '/proc/1/ns/net': 'net:[4026531840]',
    '/proc/100/exe': '/usr/bin/python3.11',
  },
  exec: {
    'iptables-nft-save': lab('orphan-dnat/iptables-nft-save-nat.txt'),
    'ip6tables-nft-save': lab('orphan-dnat/ip6tables-nft-save-nat.txt'),
    'iptables-legacy-save': lab('orphan-dnat/iptables-legacy-save.txt'),
    'ip6tables-legacy-save': lab('orphan-dnat/ip6tables-legacy-save.txt'),
    'nft -j list chains': lab('orphan-dnat/nft-ruleset.json'),
    'nft -j list table ip nat': lab('orphan-dnat/nft-ruleset.json'),
    'nft -j list table ip filter': lab('orphan-dnat/nft-ruleset.json'),
    'nft -a list table ip nat': lab('orphan-dnat/nft-ruleset.txt'),
    'ip -j -d addr show':
      '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP"],"addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]}]',
    'ip -j -4 route show table main':
      '[{"dst":"172.17.0.0/16","dev":"docker0","protocol":"kernel","scope":"link","prefsrc":"172.17.0.1"}]',
    'ip -j -6 route show table main': '[]',
    'ip -j neigh show': '[]',
    'podman ps -a --format json': '[]',
  },
  api: {
    '/info': lab('_env/docker-info.json'),
    '/containers/json': lab('orphan-dnat/api-containers-all.json'),
    '/networks': lab('_env/api-networks.json'),
  },
};

const sockets: Socket[] = [
  { proto: 'tcp', family: 4, ip: '0.0.0.0', port: 8080, v6only: null, state: 'LISTEN', inode: 4242, uid: 0, pids: [] },
];
const procs: Proc[] = [
  {
    pid: 200,
    ppid: 1,
    comm: 'docker-proxy',
    argv: ['/usr/bin/docker-proxy'],
    uid: 0,
    containerId: null,
    cgroup: '',
    netns: null,
    unit: null,
  },
];

type Run = (io: ReturnType<typeof faultIO>) => Promise<Fact<unknown>> | Fact<unknown>;
const COLLECTORS = {
  sockets: (io) => collectSockets(io, null),
  processes: (io) => scanOwners(io, sockets).processes,
  host: (io) => collectHost(io),
  engine: async (io) => (await collectDocker(io, 50)).engine,
  containers: async (io) => (await collectDocker(io, 50)).containers,
  iptablesNft: (io) => collectIptablesNft(io, 50),
  iptablesLegacy: (io) => collectIptablesLegacy(io, null, 50),
  nft: (io) => collectNft(io, new Set(), 50),
  routing: (io) => collectRouting(io, 50),
  dockerNetworks: (io) => collectDockerNetworks(io, 50),
  otherEngines: (io) => collectPodman(io, 50),
  engineBinaries: (io) => collectEngineBinaries(io, [77], procs),
} satisfies Record<string, Run>;

/** what each collector must return when one channel fails: a named error, or its healthy value */
/** 'same': the healthy value (this channel is not the collector's); 'empty': truly nothing there; else the error code */
type Want = 'same' | 'empty' | Exclude<Fact<unknown>, { ok: true }>['error']['code'];
const FAULTS: Record<keyof typeof COLLECTORS, Partial<Record<`${Channel}/${Fault}`, Want>>> = {
  sockets: {
    'fs/EACCES': 'denied',
    'fs/ENOENT': 'absent',
    'fs/garbage': 'unparsable',
    'exec/timeout': 'same',
    'exec/garbage': 'same',
    'exec/EACCES': 'same',
  },
  processes: { 'fs/EACCES': 'denied', 'fs/ENOENT': 'absent', 'exec/timeout': 'same', 'api/timeout': 'same' },
  host: { 'fs/EACCES': 'denied', 'fs/ENOENT': 'absent', 'exec/timeout': 'same', 'api/timeout': 'same' },
  engine: {
    'api/EACCES': 'denied',
    'api/ENOENT': 'absent',
    'api/timeout': 'timeout',
    'api/garbage': 'unparsable',
    'exec/timeout': 'same',
  },
  containers: {
    'api/EACCES': 'denied',
    'api/ENOENT': 'absent',
    'api/timeout': 'timeout',
    'api/garbage': 'unparsable',
    'fs/EACCES': 'same',
  },
  iptablesNft: {
    'exec/EACCES': 'denied',
    'exec/ENOENT': 'absent',
    'exec/timeout': 'timeout',
    'exec/garbage': 'unparsable',
    'fs/EACCES': 'same',
    'api/timeout': 'same',
  },
  iptablesLegacy: {
    'exec/EACCES': 'denied',
    'exec/ENOENT': 'absent',
    'exec/timeout': 'timeout',
    'exec/garbage': 'unparsable',
    'fs/EACCES': 'same',
  },
  nft: {
    'exec/EACCES': 'denied',
    'exec/ENOENT': 'absent',
    'exec/timeout': 'timeout',
    'exec/garbage': 'unparsable',
    'fs/EACCES': 'same',
    'api/timeout': 'same',
  },
  routing: {
    'exec/EACCES': 'denied',
    'exec/ENOENT': 'absent',
    'exec/timeout': 'timeout',
    'exec/garbage': 'unparsable',
    'fs/EACCES': 'same',
  },
  dockerNetworks: {
    'api/EACCES': 'denied',
    'api/ENOENT': 'absent',
    'api/timeout': 'timeout',
    'api/garbage': 'unparsable',
    'exec/timeout': 'same',
  },
  // no podman installed: truly no Podman containers
  otherEngines: {
    'exec/EACCES': 'denied',
    'exec/ENOENT': 'empty',
    'exec/timeout': 'timeout',
    'exec/garbage': 'unparsable',
    'api/timeout': 'same',
  },
  // nothing installed at any path: truly none; paths that could not be looked at: denied
  engineBinaries: { 'fs/EACCES': 'denied', 'fs/ENOENT': 'empty', 'exec/timeout': 'same', 'api/timeout': 'same' },
};

const valueOf = (f: Fact<unknown>): unknown => (f.ok ? f.value : f.error);
const isEmpty = (v: unknown): boolean =>
  Array.isArray(v) ? v.length === 0 : Object.values(v as object).every((x) => Array.isArray(x) && x.length === 0);

describe('collectors on a failing host: a named error, never a throw, never a wrong value', () => {
  for (const [name, faults] of Object.entries(FAULTS) as Array<[keyof typeof COLLECTORS, Record<string, Want>]>) {
    const run: Run = COLLECTORS[name];
    it(`${name}: the healthy fake host reads`, async () => {
      const f = await run(faultIO(HOST));
      expect(f.ok ? 'ok' : f.error, name).toBe('ok');
      if (name !== 'otherEngines') expect(isEmpty(valueOf(f)), `${name} read something`).toBe(false);
    });
    for (const [at, want] of Object.entries(faults)) {
      const [channel, fault] = at.split('/') as [Channel, Fault];
      it(`${name}: ${at} → ${want}`, async () => {
        const f = await run(faultIO(HOST, fault, channel));
        if (want === 'same') expect(valueOf(f)).toEqual(valueOf(await run(faultIO(HOST))));
        else if (want === 'empty') {
          expect(f.ok, JSON.stringify(valueOf(f))).toBe(true);
          expect(isEmpty(valueOf(f))).toBe(true);
        } else {
          expect(f.ok ? 'ok' : f.error.code, JSON.stringify(valueOf(f)).slice(0, 200)).toBe(want);
          expect(f.ok ? '' : f.error.message.length).toBeGreaterThan(10);
        }
      });
    }
  }
});
