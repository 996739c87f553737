// Issue 11, problem 3, live: `fix PORT --apply --yes` must never touch another workload's NAT. A
// running rootful Podman container's DNAT (its CNI chain) and a VM-like target (a network namespace
// behind a bridge this test makes) survive it byte-identical, and diagnose names their owner; a real
// orphan (target in a Docker subnet, no container) is still deleted. A process merely named
// docker-proxy is a host process and is never killed. No traffic is sent anywhere.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { diagnoseJson, dockerReady, Lab, portBlock, portdoctor, sh, TAG } from './helpers.js';

const P = portBlock(61);
const lab = new Lab();
afterEach(() => lab.cleanup());
const notReady = dockerReady();
const stateEnv = () => ({ PORTDOCTOR_STATE_DIR: mkdtempSync(join(tmpdir(), 'pd-state-')) });

/** every nat line that concerns the port, as iptables-save and nft print them (nft with handles) */
function natOf(port: number, extra: string[] = []): { ipt: string[]; nft: string[] } {
  const keys = [`--dport ${port} `, `--dports ${port} `, `dport ${port} `, ...extra];
  const has = (l: string) => keys.some((k) => l.includes(k));
  return {
    ipt: sh(['iptables-save', '-t', 'nat'])
      .stdout.split('\n')
      .filter((l) => l.startsWith('-A ') && has(l)),
    nft: sh(['nft', '-a', 'list', 'table', 'ip', 'nat'], { allowFail: true })
      .stdout.split('\n')
      .map((l) => l.replace(/counter packets \d+ bytes \d+/, 'counter'))
      .filter(has),
  };
}

const dnatSpec = (port: number, to: string, inDocker: boolean) => [
  ...(inDocker ? ['!', '-i', 'docker0'] : []),
  '-p',
  'tcp',
  '-m',
  'tcp',
  '--dport',
  String(port),
  '-m',
  'comment',
  '--comment',
  TAG,
  '-j',
  'DNAT',
  '--to-destination',
  to,
];
const addDnat = (chain: string, port: number, to: string) =>
  lab.apply(
    ['iptables', '-w', '-t', 'nat', '-A', chain, ...dnatSpec(port, to, chain === 'DOCKER')],
    ['iptables', '-w', '-t', 'nat', '-D', chain, ...dnatSpec(port, to, chain === 'DOCKER')],
  );

interface RuleHolder {
  kind: string;
  chain?: string;
  owner?: { kind: string; containerId: string | null; containerName: string | null; iface: string | null };
}
const foreign = (d: ReturnType<typeof diagnoseJson>) =>
  d.json.findings.find((f) => f.rule === 'foreign-dnat') as
    { cause: string; holders: RuleHolder[]; data: Record<string, unknown> } | undefined;

describe.skipIf(notReady !== null)(`live: whose NAT rule is it${notReady ? ` (skipped: ${notReady})` : ''}`, () => {
  it('a VM-like target behind a bridge the test made: foreign-dnat with its owner, and fix --apply leaves both rules byte-identical', () => {
    const n = 61;
    const ns = `pdtest-vm${n}`;
    const br = `pdtbr${n}`;
    // 198.18.0.0/15 (RFC 2544 benchmarking) is never routed anywhere: the guest lives only in its netns
    const guest = `198.18.${n}.2`;
    lab.apply(['ip', 'netns', 'add', ns], ['ip', 'netns', 'del', ns]);
    lab.apply(['ip', 'link', 'add', br, 'type', 'bridge'], ['ip', 'link', 'del', br]);
    sh(['ip', 'addr', 'add', `198.18.${n}.1/24`, 'dev', br]);
    sh(['ip', 'link', 'set', br, 'up']);
    sh(['ip', 'link', 'add', `pdtv${n}h`, 'type', 'veth', 'peer', 'name', `pdtv${n}g`]);
    sh(['ip', 'link', 'set', `pdtv${n}g`, 'netns', ns]);
    sh(['ip', 'link', 'set', `pdtv${n}h`, 'master', br, 'up']);
    sh(['ip', '-n', ns, 'addr', 'add', `${guest}/24`, 'dev', `pdtv${n}g`]);
    sh(['ip', '-n', ns, 'link', 'set', `pdtv${n}g`, 'up']);
    // a libvirt-style port forward in PREROUTING, and the same shape appended to Docker's own chain
    const [fwd, inDocker] = [P(1), P(2)];
    addDnat('PREROUTING', fwd, `${guest}:22`);
    addDnat('DOCKER', inDocker, `${guest}:80`);
    for (const port of [fwd, inDocker]) {
      const before = natOf(port);
      expect(before.ipt, `rule for ${port}`).toHaveLength(1);
      const d = diagnoseJson(String(port));
      expect(d.json.verdict.cause, d.json.verdict.summary).toBe('foreign-dnat');
      expect(d.json.holders[0]).toMatchObject({ kind: 'rule', owner: { kind: 'host', iface: br } });
      expect(d.json.findings[0]).toMatchObject({ rule: 'foreign-dnat', data: { owner: `this host (${br})` } });
      expect(d.code).toBe(1);
      const plan = JSON.parse(portdoctor(['fix', String(port), '--json'], stateEnv()).stdout) as {
        plans: Array<{ safety: string }>;
      };
      expect(plan.plans.map((p) => p.safety)).not.toContain('fix');
      const r = portdoctor(['fix', String(port), '--apply', '--yes'], stateEnv());
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stdout).toMatch(/Nothing safe to do unattended/);
      expect(natOf(port)).toEqual(before);
    }
  });

  it('a real orphan (target in the bridge network, no container) is still deleted by fix --apply', () => {
    const subnet = sh([
      'docker',
      'network',
      'inspect',
      'bridge',
      '-f',
      '{{(index .IPAM.Config 0).Subnet}}',
    ]).stdout.trim();
    expect(subnet).toMatch(/^172\.17\.0\.0\/16$/);
    const port = P(3);
    addDnat('DOCKER', port, '172.17.0.250:80');
    const d = diagnoseJson(String(port));
    expect(d.json.verdict).toMatchObject({ cause: 'orphan-dnat', confidence: 'certain' });
    expect(d.json.holders[0]).toMatchObject({ kind: 'rule', owner: { kind: 'orphan', iface: 'docker0' } });
    const r = portdoctor(['fix', String(port), '--apply', '--yes'], stateEnv());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(natOf(port).ipt).toEqual([]);
  });

  it('a process named docker-proxy that is not the engine binary (a renamed copy, or argv[0] only) is a host process and is never killed', async () => {
    const cases: Array<{ port: number; how: string; start: () => ChildProcess; dir?: string }> = [];
    const dir = mkdtempSync(join(tmpdir(), 'pdtest-'));
    lab.onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    const fake = (port: number) => [
      '-e',
      `require('net').createServer(c=>c.end()).listen(${port},'0.0.0.0',()=>console.log('ready'));setInterval(()=>{},1e6)`,
      '--',
      '-proto',
      'tcp',
      '-host-ip',
      '0.0.0.0',
      '-host-port',
      String(port),
      '-container-ip',
      '172.17.0.250',
      '-container-port',
      '80',
    ];
    // a copy of a binary, renamed: its comm is docker-proxy, its exe the copy
    sh(['cp', process.execPath, join(dir, 'docker-proxy')]);
    const copied = P(4);
    cases.push({
      port: copied,
      how: 'renamed copy',
      start: () => spawn(join(dir, 'docker-proxy'), fake(copied), { env: { ...process.env, PORTDOCTOR_TEST: '1' } }),
    });
    // exec -a docker-proxy: only argv[0] says docker-proxy
    const renamed = P(5);
    cases.push({
      port: renamed,
      how: 'exec -a',
      start: () =>
        spawn(process.execPath, fake(renamed), {
          argv0: 'docker-proxy',
          env: { ...process.env, PORTDOCTOR_TEST: '1' },
        }),
    });
    const kids: ChildProcess[] = [];
    try {
      for (const c of cases) {
        const child = c.start();
        kids.push(child);
        await new Promise<void>((res, rej) => {
          child.stdout?.once('data', () => res());
          child.once('exit', (code) => rej(new Error(`${c.how} exited ${code}`)));
        });
        const d = diagnoseJson(`0.0.0.0:${c.port}`);
        expect(d.json.verdict.cause, `${c.how}: ${d.json.verdict.summary}`).toBe('host-process');
        expect(d.json.holders[0]).toMatchObject({ kind: 'process', pid: child.pid });
        const r = portdoctor(['fix', `0.0.0.0:${c.port}`, '--apply', '--yes'], stateEnv());
        expect(r.code, r.stdout + r.stderr).toBe(1);
        expect(r.stdout).toMatch(/Nothing safe to do unattended/);
        await new Promise((res) => setTimeout(res, 200));
        expect(() => process.kill(child.pid as number, 0), c.how).not.toThrow();
      }
    } finally {
      for (const k of kids) k.kill('SIGKILL');
    }
  });
});

// ---- Podman 4.3 (Debian), rootful with CNI: its own chains name the container
const IMAGE = 'localhost/portdoctor-test-bb:latest';
const LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
const podmanMissing =
  spawnSync('sh', ['-c', 'command -v podman']).status !== 0 ? 'podman not installed (scripts/test-env.sh)' : null;
const pm = (args: string[]) => spawnSync('podman', args, { encoding: 'utf8', timeout: 60_000 });
const podmanIds: string[] = [];
afterAll(() => {
  if (podmanIds.length) pm(['rm', '-f', ...podmanIds]);
});

describe.skipIf(notReady !== null || podmanMissing !== null)(
  `live: a running Podman container's DNAT${podmanMissing ? ` (skipped: ${podmanMissing})` : ''}`,
  () => {
    it('survives fix --apply --yes byte-identical, and diagnose names the Podman container as its owner', () => {
      if (pm(['image', 'exists', IMAGE]).status !== 0) {
        const dir = mkdtempSync(join(tmpdir(), 'pd-podman-'));
        spawnSync('sh', [
          '-c',
          `mkdir -p ${dir}/bin ${dir}/www && cp /bin/busybox ${dir}/bin/ && echo podman-ok > ${dir}/www/index.html && tar -C ${dir} -c . | podman import -c 'CMD ["/bin/busybox","httpd","-f","-p","80","-h","/www"]' - ${IMAGE}`,
        ]);
        rmSync(dir, { recursive: true, force: true });
      }
      const port = P(10);
      const name = `pdtest-owners-${port}`;
      // runc: crun refuses cgroups v1 hybrid hosts; runc runs everywhere docker.io does
      const r = pm([
        'run',
        '-d',
        '--runtime',
        'runc',
        ...LIMITS,
        '--label',
        'portdoctor.test=1',
        '--name',
        name,
        '-p',
        `${port}:80`,
        IMAGE,
      ]);
      expect(r.status, r.stderr).toBe(0);
      const id = r.stdout.trim().split('\n').pop() as string;
      podmanIds.push(id);
      const before = natOf(port, [id]);
      expect(before.ipt.some((l) => l.includes('DNAT --to-destination 10.88.'))).toBe(true);

      const d = diagnoseJson(String(port));
      const f = foreign(d);
      expect(f, JSON.stringify(d.json.findings)).toBeDefined();
      expect(f?.holders[0]).toMatchObject({
        kind: 'rule',
        owner: { kind: 'podman', containerId: id, containerName: name, iface: 'cni-podman0' },
      });
      expect(f?.data.owner).toBe(`Podman container ${name} [${id.slice(0, 12)}]`);
      // conmon holds the host port for it: the refusal a docker run -p would meet comes first
      expect(['container', 'foreign-dnat']).toContain(d.json.verdict.cause);
      expect(d.json.findings.map((x) => x.cause)).not.toContain('orphan-dnat');

      const fx = portdoctor(['fix', String(port), '--apply', '--yes'], stateEnv());
      expect(fx.code, fx.stdout + fx.stderr).toBe(1);
      expect(natOf(port, [id])).toEqual(before);
      expect(pm(['inspect', '-f', '{{.State.Status}}', id]).stdout.trim()).toBe('running');
    });
  },
);
