// Issue 17, proof: the path model against real packets. Everything happens in two network
// namespaces this test makes: D holds a dockerd the test starts (its own iptables world, its own
// bridge, data-root, exec-root, pidfile, socket and containerd), C holds the client, joined to D by a
// veth pair. Addresses are from 198.18.0.0/15 (RFC 2544 benchmarking), which exists only inside these
// namespaces. For each case the simulated path (`trace PORT --from outside --json`, run in D with
// DOCKER_HOST at D's daemon) and the packet's real fate (the client's answer, rule packet counters,
// conntrack entries of D) must agree. The engine is the one the live suite runs under
// (PORTDOCTOR_TEST_ENGINE): Debian 12's dockerd 20.10 or Debian sid's 28.5.2 unpacked by
// scripts/engines.sh.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, portBlock, TAG } from './helpers.js';

const P = portBlock(81);
const PORT = P(1);
const ENGINE = process.env.PORTDOCTOR_TEST_ENGINE ?? '20.10';
const ENGINE_BIN = process.env.PORTDOCTOR_TEST_ENGINE_PATH ?? '';
const DOCKERD = ENGINE === '28.5' ? join(ENGINE_BIN, 'dockerd') : '/usr/sbin/dockerd';
const PROXY = process.env.PORTDOCTOR_TEST_DOCKER_PROXY ?? '/usr/sbin/docker-proxy';
const NS_D = 'pdtest-pathd';
const NS_C = 'pdtest-pathc';
const BR = 'pdtbr81';
const HOST_IP = '198.18.81.1';
const CLIENT_IP = '198.18.81.2';
const BR_IP = '198.19.81.1';
/** an address in the bridge's subnet that no container has: the orphan DNAT's target */
const ORPHAN_IP = '198.19.81.99';
const IMAGE = 'portdoctor-test-bb:latest';
const PATH = `${ENGINE_BIN ? `${ENGINE_BIN}:` : ''}${process.env.PATH ?? ''}:/usr/sbin:/sbin`;

const skip = ((): string | null => {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!existsSync(DOCKERD)) return `no dockerd at ${DOCKERD}`;
  for (const b of ['nsenter', 'ip', 'conntrack', 'curl'])
    if (spawnSync('sh', ['-c', `command -v ${b}`], { env: { ...process.env, PATH } }).status !== 0) return `no ${b}`;
  return null;
})();

let work = '';
let sock = '';
let dockerdPid = 0;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function run(argv: string[], o: { env?: Record<string, string>; allowFail?: boolean; input?: Buffer } = {}): Run {
  const r = spawnSync(argv[0] as string, argv.slice(1), {
    encoding: 'utf8',
    env: { ...process.env, PATH, ...o.env },
    input: o.input,
    timeout: 90_000,
    maxBuffer: 64 << 20,
  });
  const out = { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  if (!o.allowFail && out.code !== 0)
    throw new Error(`${argv.join(' ')} exited ${out.code}: ${out.stderr || out.stdout}`);
  return out;
}
/** nsenter switches only the network namespace (`ip netns exec` also remounts /sys, which hides the cgroup mounts dockerd needs) */
const inNs = (ns: string, argv: string[], o: Parameters<typeof run>[1] = {}): Run =>
  run(['nsenter', `--net=/run/netns/${ns}`, ...argv], o);
const inD = (argv: string[], o: Parameters<typeof run>[1] = {}): Run => inNs(NS_D, argv, o);
const docker = (args: string[], o: Parameters<typeof run>[1] = {}): Run =>
  run(['docker', ...args], { ...o, env: { DOCKER_HOST: `unix://${sock}`, ...o.env } });
const ipt = (args: string[]): Run => inD(['iptables', '-w', ...args]);

/** the client in C asks D's address; what came back, or why nothing did (busybox wget segfaults on this host: curl) */
function fetch(): { ok: boolean; body: string; err: string } {
  forgetConntrack();
  const r = inNs(NS_C, ['curl', '-sS', '-m', '3', `http://${HOST_IP}:${PORT}/`], { allowFail: true });
  return { ok: r.code === 0, body: r.stdout.trim(), err: r.stderr.trim() };
}

interface Hop {
  table: string | null;
  chain: string | null;
  rule: string | null;
  position: number | null;
  verdict: string;
  spec: string[] | null;
}
interface Walk {
  outcome: { kind: string; ip?: string; port?: number; name?: string; by?: Hop; containerIp?: string };
  paths: Array<{ hops: Hop[]; outcome: { kind: string } }>;
}
/**
 * With PORTDOCTOR_PATH_CAPTURE=DIR, each case's snapshot is written there (`collect --out`): the
 * unit tests' fixtures in test/fixtures/path/ were recorded this way.
 */
function capture(name: string): void {
  const dir = process.env.PORTDOCTOR_PATH_CAPTURE;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  inD([BIN, 'collect', '--out', join(dir, `${ENGINE}-${name}.json`), '--port', String(PORT)], {
    env: { DOCKER_HOST: `unix://${sock}`, PORTDOCTOR_TEST: '1' },
  });
}

function trace(): Walk {
  const r = inD([BIN, 'trace', String(PORT), '--from', 'outside', '--json'], {
    env: { DOCKER_HOST: `unix://${sock}`, PORTDOCTOR_TEST: '1' },
    allowFail: true,
  });
  const j = JSON.parse(r.stdout) as { walks: Walk[] };
  return j.walks[0] as Walk;
}
interface Finding {
  rule: string;
  cause: string;
  data: Record<string, unknown>;
  holders: Array<Record<string, unknown>>;
}
function diagnose(): { cause: string; findings: Finding[]; remedies: Array<Record<string, unknown>> } {
  const r = inD([BIN, 'diagnose', String(PORT), '--json'], {
    env: { DOCKER_HOST: `unix://${sock}`, PORTDOCTOR_TEST: '1', PORTDOCTOR_STATE_DIR: join(work, 'state') },
    allowFail: true,
  });
  const j = JSON.parse(r.stdout) as {
    verdict: { cause: string };
    findings: Finding[];
    remedies?: Array<Record<string, unknown>>;
  };
  return { cause: j.verdict.cause, findings: j.findings, remedies: j.remedies ?? [] };
}

/** conntrack's entries for the port in D: original destination and the reply's source (who answered) */
function conntrack(): Array<{ dst: string; replySrc: string; unreplied: boolean }> {
  const r = inD(['conntrack', '-L', '-p', 'tcp', '--dport', String(PORT)], { allowFail: true });
  return r.stdout
    .split('\n')
    .filter((l) => l.includes(`dport=${PORT}`))
    .map((l) => {
      const src = [...l.matchAll(/src=(\S+)/g)].map((m) => m[1] as string);
      const dst = /dst=(\S+)/.exec(l)?.[1] ?? '';
      return { dst, replySrc: src[1] ?? '', unreplied: l.includes('[UNREPLIED]') };
    });
}
const forgetConntrack = (): void => {
  inD(['conntrack', '-D', '-p', 'tcp', '--dport', String(PORT)], { allowFail: true });
};

/** packet counter of the first rule in table/chain whose listing line contains every needle */
function counter(table: string, chain: string, needles: string[]): number {
  const r = ipt(['-t', table, '-L', chain, '-v', '-x', '-n']);
  const line = r.stdout.split('\n').find((l) => needles.every((n) => l.includes(n)));
  if (!line) throw new Error(`no rule with ${needles.join(', ')} in ${table} ${chain}:\n${r.stdout}`);
  return Number(line.trim().split(/\s+/)[0]);
}
/** the policy counter of a base chain: "Chain FORWARD (policy DROP 3 packets, 180 bytes)" */
function policyCount(table: string, chain: string): { policy: string; packets: number } {
  const head = ipt(['-t', table, '-L', chain, '-v', '-x', '-n']).stdout.split('\n')[0] ?? '';
  const m = /policy (\w+) (\d+) packets/.exec(head);
  return { policy: m?.[1] ?? '', packets: Number(m?.[2] ?? -1) };
}

/** the packet counter of the rule (or the policy) a hop of the model names, read from the kernel */
function hopCounter(h: Hop): number {
  if (!h.table || !h.chain) throw new Error(`hop names no chain: ${JSON.stringify(h)}`);
  if (h.rule === null || h.position === null) return policyCount(h.table, h.chain).packets;
  const out = ipt(['-t', h.table, '-L', h.chain, '-v', '-x', '-n', '--line-numbers']).stdout.split('\n');
  const line = out.find((l) => l.trim().split(/\s+/)[0] === String(h.position! + 1));
  if (!line) throw new Error(`no rule ${h.position + 1} in ${h.table} ${h.chain}`);
  return Number(line.trim().split(/\s+/)[1]);
}

/** a rule's iptables-save line in D, as argv after -A CHAIN */
function saveLine(table: string, pred: (l: string) => boolean): { chain: string; argv: string[]; index: number } {
  const lines = inD(['iptables-save', '-t', table]).stdout.split('\n');
  const l = lines.find((x) => x.startsWith('-A ') && pred(x));
  if (!l) throw new Error(`no such rule in ${table}:\n${lines.join('\n')}`);
  if (l.includes('"')) throw new Error(`quoted rule needs a real parser: ${l}`);
  const [, chain, ...argv] = l.split(' ');
  const index = lines.filter((x) => x.startsWith(`-A ${chain} `)).indexOf(l) + 1;
  return { chain: chain as string, argv, index };
}

async function waitFor(what: string, f: () => boolean, ms = 40_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (f()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let ip = '';

beforeAll(async () => {
  if (skip) return;
  mkdirSync('/var/lib/portdoctor-test', { recursive: true });
  // the data root on the host's own disk: overlay2 cannot stack on a tmpfs or overlay /tmp
  work = mkdtempSync('/var/lib/portdoctor-test/pathnetns-');
  sock = join(work, 'docker.sock');
  for (const ns of [NS_D, NS_C]) {
    run(['ip', 'netns', 'add', ns]);
    run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  }
  run(['ip', 'link', 'add', 'pdtv81d', 'netns', NS_D, 'type', 'veth', 'peer', 'name', 'pdtv81c', 'netns', NS_C]);
  run(['ip', '-n', NS_D, 'addr', 'add', `${HOST_IP}/24`, 'dev', 'pdtv81d']);
  run(['ip', '-n', NS_D, 'link', 'set', 'pdtv81d', 'up']);
  run(['ip', '-n', NS_C, 'addr', 'add', `${CLIENT_IP}/24`, 'dev', 'pdtv81c']);
  run(['ip', '-n', NS_C, 'link', 'set', 'pdtv81c', 'up']);
  // the default route makes the veth D's "outside": trace --from outside arrives there, as C's packets do
  run(['ip', '-n', NS_D, 'route', 'add', 'default', 'via', CLIENT_IP]);
  run(['ip', '-n', NS_D, 'link', 'add', BR, 'type', 'bridge']);
  run(['ip', '-n', NS_D, 'addr', 'add', `${BR_IP}/24`, 'dev', BR]);
  run(['ip', '-n', NS_D, 'link', 'set', BR, 'up']);
  writeFileSync(join(work, 'daemon.json'), '{}');
  const child = spawn(
    'nsenter',
    [
      `--net=/run/netns/${NS_D}`,
      DOCKERD,
      '--config-file',
      join(work, 'daemon.json'),
      '--data-root',
      join(work, 'data'),
      '--exec-root',
      join(work, 'exec'),
      '--pidfile',
      join(work, 'dockerd.pid'),
      '-H',
      `unix://${sock}`,
      '--bridge',
      BR,
      '--userland-proxy-path',
      PROXY,
      '--containerd-namespace',
      'pdtest-path81',
      '--containerd-plugins-namespace',
      'pdtest-path81p',
    ],
    {
      env: { ...process.env, PATH, PORTDOCTOR_TEST: '1' },
      stdio: ['ignore', 'ignore', 'ignore'],
      detached: true,
    },
  );
  child.unref();
  // nsenter execs dockerd: the child's pid is dockerd's
  dockerdPid = child.pid ?? 0;
  await waitFor('the netns dockerd', () => docker(['info'], { allowFail: true }).code === 0);
  // the test image, as scripts/test-env.sh builds it: busybox-static's httpd serving one page
  const root = mkdtempSync(join(work, 'img-'));
  mkdirSync(join(root, 'bin'));
  mkdirSync(join(root, 'www'));
  writeFileSync(join(root, 'bin/busybox'), readFileSync('/bin/busybox'), { mode: 0o755 });
  writeFileSync(join(root, 'www/index.html'), 'portdoctor-ok\n');
  const tar = spawnSync('tar', ['-C', root, '-c', '.'], { maxBuffer: 64 << 20 });
  docker(['import', '-c', 'CMD ["/bin/busybox","httpd","-f","-p","80","-h","/www"]', '-', IMAGE], {
    input: tar.stdout,
  });
  docker(['run', '-d', '--name', 'pdtest-path-web', '--label', 'portdoctor.test=1', '-p', `${PORT}:80`, IMAGE]);
  ip = docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'pdtest-path-web']).stdout.trim();
  await waitFor('the container to answer', () => fetch().ok, 20_000);
  forgetConntrack();
}, 180_000);

afterAll(() => {
  if (skip) return;
  const errs: string[] = [];
  const tryDo = (what: string, f: () => void) => {
    try {
      f();
    } catch (e) {
      errs.push(`${what}: ${String(e)}`);
    }
  };
  if (sock) tryDo('containers', () => void docker(['rm', '-f', 'pdtest-path-web'], { allowFail: true }));
  if (dockerdPid > 0)
    tryDo('dockerd', () => {
      process.kill(dockerdPid, 'SIGTERM');
      const end = Date.now() + 30_000;
      while (Date.now() < end && existsSync(`/proc/${dockerdPid}`)) spawnSync('sleep', ['0.2']);
      if (existsSync(`/proc/${dockerdPid}`)) process.kill(dockerdPid, 'SIGKILL');
    });
  // whatever is left in D (a containerd or shim of that dockerd) was started by this test
  tryDo('netns processes', () => {
    const pids = run(['ip', 'netns', 'pids', NS_D], { allowFail: true }).stdout.split(/\s+/).filter(Boolean);
    for (const pid of pids) process.kill(Number(pid), 'SIGKILL');
  });
  if (work)
    tryDo('mounts', () => {
      // mounts a killed dockerd left under its own data root, deepest first
      const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .map((l) => l.split(' ')[4] ?? '')
        .filter((m) => m.startsWith(`${work}/`))
        .sort((a, b) => b.length - a.length);
      for (const m of mounts) run(['umount', '-l', m], { allowFail: true });
    });
  for (const ns of [NS_C, NS_D]) tryDo(ns, () => void run(['ip', 'netns', 'del', ns], { allowFail: true }));
  if (work) tryDo('work dir', () => rmSync(work, { recursive: true, force: true }));
  if (errs.length) throw new Error(`cleanup: ${errs.join('; ')}`);
}, 90_000);

describe.skipIf(skip !== null)(
  `live (${ENGINE}, dockerd in its own netns): the path model agrees with the packet${skip ? ` (skipped: ${skip})` : ''}`,
  () => {
    it('healthy: the model says the container answers, and it does, through Docker DNAT', () => {
      capture('healthy');
      const w = trace();
      expect(w.outcome).toMatchObject({ kind: 'container', ip, port: 80 });
      expect(w.paths[0]?.hops.some((h) => h.verdict === `dnat to ${ip}:80`)).toBe(true);
      const dnat = { table: 'nat', chain: 'DOCKER', needles: ['DNAT', `dpt:${PORT}`] };
      const before = counter(dnat.table, dnat.chain, dnat.needles);
      const got = fetch();
      expect(got).toMatchObject({ ok: true, body: 'portdoctor-ok' });
      expect(counter(dnat.table, dnat.chain, dnat.needles)).toBe(before + 1);
      // the kernel's word: the reply came from the container's address
      expect(conntrack().map((c) => c.replySrc)).toContain(ip);
      const d = diagnose();
      expect(d.findings.map((f) => f.rule)).not.toContain('docker-rules-missing');
      expect(d.findings.map((f) => f.rule)).not.toContain('firewall-drop');
      forgetConntrack();
    });

    it("Docker's DNAT deleted by exact spec: docker-rules-missing; the model's path and the packet's agree", () => {
      const r = saveLine('nat', (l) => l.includes(`--dport ${PORT} `) && l.includes('-j DNAT'));
      ipt(['-t', 'nat', '-D', r.chain, ...r.argv]);
      try {
        capture('dnat-deleted');
        const d = diagnose();
        const f = d.findings.find((x) => x.rule === 'docker-rules-missing');
        expect(f?.data).toMatchObject({ missing: 'dnat', containerIp: ip, hostPort: PORT });
        expect(d.cause).toBe('docker-rules-missing');
        expectSameFate(trace());
      } finally {
        ipt(['-t', 'nat', '-I', r.chain, String(r.index), ...r.argv]);
        forgetConntrack();
      }
      expect(fetch().body).toBe('portdoctor-ok');
    });

    it('the jump to the DOCKER chain removed from PREROUTING: docker-rules-missing; model and packet agree', () => {
      const r = saveLine('nat', (l) => l.startsWith('-A PREROUTING ') && l.endsWith('-j DOCKER'));
      ipt(['-t', 'nat', '-D', r.chain, ...r.argv]);
      try {
        capture('prerouting-jump-deleted');
        const d = diagnose();
        const f = d.findings.find((x) => x.rule === 'docker-rules-missing');
        expect(f?.data).toMatchObject({ missing: 'jump', containerIp: ip });
        expect(d.cause).toBe('docker-rules-missing');
        expectSameFate(trace());
      } finally {
        ipt(['-t', 'nat', '-I', r.chain, String(r.index), ...r.argv]);
        forgetConntrack();
      }
      expect(fetch().body).toBe('portdoctor-ok');
    });

    it('a DOCKER-USER drop for the container: firewall-drop naming the rule; the packet is dropped there', () => {
      const spec = ['-d', `${ip}/32`, '-m', 'comment', '--comment', TAG, '-j', 'DROP'];
      ipt(['-t', 'filter', '-I', 'DOCKER-USER', '1', ...spec]);
      try {
        capture('docker-user-drop');
        const w = trace();
        expect(w.outcome.kind).toBe('dropped');
        expect(w.outcome.by).toMatchObject({ table: 'filter', chain: 'DOCKER-USER' });
        expect(w.outcome.by?.rule).toContain(TAG);
        const d = diagnose();
        expect(d.cause).toBe('firewall-drop');
        const f = d.findings.find((x) => x.rule === 'firewall-drop');
        expect(JSON.stringify(f?.holders)).toContain(TAG);
        const before = counter('filter', 'DOCKER-USER', [TAG]);
        const got = fetch();
        expect(got.ok).toBe(false);
        // the kernel's word: this very rule took the SYN (and its retransmissions), nothing answered
        expect(counter('filter', 'DOCKER-USER', [TAG])).toBeGreaterThan(before);
        expect(conntrack().every((c) => c.unreplied)).toBe(true);
      } finally {
        ipt(['-t', 'filter', '-D', 'DOCKER-USER', ...spec]);
        forgetConntrack();
      }
      expect(fetch().body).toBe('portdoctor-ok');
    });

    it("an orphan DNAT ahead of Docker's: the model sends the packet to the orphan's target, and so does the kernel", () => {
      const docker = saveLine('nat', (l) => l.includes(`--dport ${PORT} `) && l.includes('-j DNAT'));
      const iif = docker.argv.slice(0, docker.argv.indexOf('-p'));
      const spec = [
        ...iif,
        '-p',
        'tcp',
        '-m',
        'tcp',
        '--dport',
        String(PORT),
        '-m',
        'comment',
        '--comment',
        TAG,
        '-j',
        'DNAT',
        '--to-destination',
        `${ORPHAN_IP}:80`,
      ];
      ipt(['-t', 'nat', '-I', docker.chain, '1', ...spec]);
      try {
        capture('orphan-ahead');
        const w = trace();
        expect(w.paths[0]?.hops.some((h) => h.verdict === `dnat to ${ORPHAN_IP}:80` && h.rule?.includes(TAG))).toBe(
          true,
        );
        const d = diagnose();
        expect(d.findings.map((f) => f.rule)).toContain('orphan-dnat');
        const by = w.outcome.kind === 'dropped' ? w.outcome.by : undefined;
        const before = by ? hopCounter(by) : 0;
        const got = fetch();
        expect(got.ok).toBe(false);
        const ct = conntrack();
        if (by) {
          // Docker 28 drops what reaches its bridge for an unpublished address: the kernel's counter of
          // the very rule the model names moved, and the connection was never confirmed (no entry)
          expect(hopCounter(by)).toBeGreaterThan(before);
          expect(ct).toEqual([]);
        } else {
          // the kernel's word: the connection was translated to the orphan's target, which never replied
          expect(w.outcome).toMatchObject({ kind: 'blackhole', ip: ORPHAN_IP, port: 80 });
          expect(ct.length).toBeGreaterThan(0);
          expect(ct.every((c) => c.replySrc === ORPHAN_IP && c.unreplied)).toBe(true);
        }
      } finally {
        ipt(['-t', 'nat', '-D', docker.chain, ...spec]);
        forgetConntrack();
      }
      expect(fetch().body).toBe('portdoctor-ok');
    });
  },
);

/**
 * Docker's DNAT (or the jump to it) is gone: the packet is delivered to D itself. The model says who
 * answers there (docker-proxy with the userland proxy on, nobody without); the client's answer and
 * conntrack (no translation: the reply comes from D's own address) must say the same.
 */
function expectSameFate(w: Walk): void {
  expect(w.paths[0]?.hops.some((h) => h.verdict.startsWith('dnat to'))).toBe(false);
  const got = fetch();
  const ct = conntrack();
  expect(ct.length).toBeGreaterThan(0);
  expect(ct.every((c) => c.replySrc === HOST_IP)).toBe(true);
  if (w.outcome.kind === 'docker-proxy') {
    expect(w.outcome.containerIp).toBe(ip);
    expect(got).toMatchObject({ ok: true, body: 'portdoctor-ok' });
  } else {
    expect(w.outcome.kind).toBe('no-listener');
    expect(got.ok).toBe(false);
    expect(got.err).toMatch(/refused/i);
  }
}
