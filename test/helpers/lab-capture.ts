// Build a Snapshot from a lab capture directory (the raw files the lab recorded), with the same
// parsers the live collectors use. Only what the capture holds is filled; nothing is invented.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Container, FirewallView, Proc, Snapshot, Socket } from '../../src/model.js';
import { nftSkipTables } from '../../src/collect/index.js';
import { parseCgroup } from '../../src/collect/parse/cgroup.js';
import { containerFromList } from '../../src/collect/parse/docker-api.js';
import { mergeViews, parseIptablesSave } from '../../src/collect/parse/iptables-save.js';
import { parseNftJson } from '../../src/collect/parse/nft.js';
import { parseSs } from '../../src/collect/parse/ss.js';
import { networksFromApi } from '../../src/collect/network.js';

export const LAB = fileURLToPath(new URL('../fixtures/lab/', import.meta.url));
export const CORPUS = fileURLToPath(new URL('../fixtures/corpus/docker-error-messages.json', import.meta.url));

const read = (dir: string, f: string): string | null =>
  existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : null;

export interface PortOwner {
  pid: number;
  comm: string;
  ppid: number;
  ppidComm: string;
  argv: string[];
  cgroup: string;
  netns: string;
  hostNetns: string;
}

export function parsePortOwners(text: string): PortOwner[] {
  const out: PortOwner[] = [];
  let cur: Partial<PortOwner> | null = null;
  for (const line of text.split('\n')) {
    const m = /^\s+pid=(\d+) comm=(\S*) ppid=(\d+) ppid_comm=(\S*)/.exec(line);
    if (m) {
      cur = { pid: Number(m[1]), comm: m[2] ?? '', ppid: Number(m[3]), ppidComm: m[4] ?? '' };
      out.push(cur as PortOwner);
      continue;
    }
    if (!cur) continue;
    const c = /^\s+cmdline=(.*)$/.exec(line);
    if (c) cur.argv = (c[1] ?? '').trim().split(' ');
    const g = /^\s+cgroup=(.*)$/.exec(line);
    if (g) cur.cgroup = g[1] ?? '';
    const n = /^\s+netns=(\S+) \(host: (\S+)\)/.exec(line);
    if (n) {
      cur.netns = n[1] ?? '';
      cur.hostNetns = n[2] ?? '';
    }
  }
  return out;
}

/** scenario: e.g. 'host-process' or 'orphan-dnat/before-run' */
export function snapshotFromCapture(scenario: string): Snapshot {
  const dir = join(LAB, scenario);
  const env = join(LAB, '_env');
  if (!existsSync(dir)) throw new Error(`no capture ${dir}`);
  const owners = parsePortOwners(read(dir, 'port-owners.txt') ?? '');
  const hostNetns = owners[0]?.hostNetns ?? 'net:[4026531833]';

  let inode = 1000;
  const sockets: Socket[] = parseSs(read(dir, 'ss-tulpn.txt') ?? '').map((e) => ({
    proto: e.proto,
    family: e.ip.includes(':') ? 6 : 4,
    ip: e.ip,
    port: e.port,
    v6only: e.ip === '::' ? e.v6only : null,
    state: e.state,
    inode: inode++,
    uid: 0,
    pids: [...new Set(e.users.map((u) => u.pid))],
  }));

  const procs = new Map<number, Proc>();
  for (const o of owners) {
    const cg = parseCgroup(o.cgroup.replace(/^\d+:[^:]*:/, (x) => x)); // the one line the lab kept
    procs.set(o.pid, {
      pid: o.pid,
      ppid: o.ppid,
      comm: o.comm,
      argv: o.argv,
      uid: 0,
      containerId: cg.containerId,
      cgroup: o.cgroup,
      netns: o.netns,
      unit: cg.unit,
    });
    if (!procs.has(o.ppid))
      procs.set(o.ppid, {
        pid: o.ppid,
        ppid: 0,
        comm: o.ppidComm,
        argv: [],
        uid: 0,
        containerId: null,
        cgroup: '',
        netns: hostNetns,
        unit: null,
      });
  }
  // listeners outside the scenario's ports: ss names them, port-owners does not describe them
  for (const e of parseSs(read(dir, 'ss-tulpn.txt') ?? '')) {
    for (const u of e.users)
      if (!procs.has(u.pid))
        procs.set(u.pid, {
          pid: u.pid,
          ppid: 0,
          comm: u.comm,
          argv: [],
          uid: 0,
          containerId: null,
          cgroup: '',
          netns: hostNetns,
          unit: null,
        });
  }

  const info = JSON.parse(readFileSync(join(env, 'docker-info.json'), 'utf8')) as Record<string, unknown>;
  const backend = readFileSync(join(env, 'backend-and-rootless.txt'), 'utf8');
  const dockerdPid = Number(/dockerd pid: (\d+)/.exec(backend)?.[1] ?? 0);
  const containers: Container[] = (JSON.parse(read(dir, 'api-containers-all.json') ?? '[]') as unknown[]).map(
    containerFromList,
  );

  const legacyPresent = read(dir, 'legacy-tables-present.txt') ?? '';
  const names = (k: string): string[] =>
    (new RegExp(`^${k}: (.*)$`, 'm').exec(legacyPresent)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);

  const iptNft: FirewallView = mergeViews('iptables-nft', [
    parseIptablesSave(
      (read(dir, 'iptables-nft-save-nat.txt') ?? '') + (read(dir, 'iptables-nft-save-filter.txt') ?? ''),
      'iptables-nft',
      'ip',
    ),
    parseIptablesSave(read(dir, 'ip6tables-nft-save-nat.txt') ?? '', 'iptables-nft', 'ip6'),
  ]);
  const iptLegacy: FirewallView = mergeViews('iptables-legacy', [
    parseIptablesSave(read(dir, 'iptables-legacy-save.txt') ?? '', 'iptables-legacy', 'ip'),
    parseIptablesSave(read(dir, 'ip6tables-legacy-save.txt') ?? '', 'iptables-legacy', 'ip6'),
  ]);
  const iptNftFact = { ok: true as const, value: iptNft, source: 'iptables-nft-save-nat.txt' };
  const nft = parseNftJson(read(dir, 'nft-ruleset.json') ?? '{"nftables":[]}', {
    skipTables: nftSkipTables(iptNftFact),
    text: read(dir, 'nft-ruleset.txt') ?? undefined,
  });

  return {
    schema: 'portdoctor.snapshot/1',
    takenAt: (read(dir, 'captured-at.txt') ?? '2026-11-24T00:00:00Z').trim(),
    scope: { ports: null },
    host: {
      ok: true,
      value: {
        kernel: String(info.KernelVersion),
        wsl: 0,
        uid: 0,
        hostNetns,
        sysctl: {},
        legacyTables: { ip: names('ip_tables_names'), ip6: names('ip6_tables_names') },
      },
      source: 'capture',
    },
    sockets: { ok: true, value: sockets, source: 'ss-tulpn.txt' },
    processes: { ok: true, value: [...procs.values()], source: 'port-owners.txt' },
    engine: {
      ok: true,
      value: {
        version: String(info.ServerVersion),
        apiVersion: '1.41',
        rootless: false,
        securityOptions: info.SecurityOptions as string[],
        firewallBackend: null,
        liveRestore: info.LiveRestoreEnabled === true,
        userlandProxy: true,
        dockerdPids: [dockerdPid],
        iptablesVariant: /xtables-nft-multi/.test(backend) ? 'nft' : null,
        operatingSystem: String(info.OperatingSystem),
        kernel: String(info.KernelVersion),
      },
      source: '_env/docker-info.json',
    },
    containers: { ok: true, value: containers, source: 'api-containers-all.json' },
    iptablesNft: iptNftFact,
    iptablesLegacy: { ok: true, value: iptLegacy, source: 'iptables-legacy-save.txt' },
    nft: { ok: true, value: nft, source: 'nft-ruleset.json' },
    // the default bridge network as GET /networks reports it (fixtures README: recorded on docker.io
    // 28.5.2 here; the lab's own POSTROUTING rule -s 172.17.0.0/16 ! -o docker0 shows the same network)
    dockerNetworks: {
      ok: true,
      value: networksFromApi(JSON.parse(readFileSync(join(env, 'api-networks.json'), 'utf8'))),
      source: '_env/api-networks.json',
    },
    // the lab ran before the bind probe existed
    probe: { ok: false, error: { code: 'absent', message: 'recorded without a bind probe' }, source: 'capture' },
  };
}

export function attemptError(scenario: string, label: string): string {
  return readFileSync(join(LAB, scenario, 'attempts', `${label}.stderr`), 'utf8');
}
