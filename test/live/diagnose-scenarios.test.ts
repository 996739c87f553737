// Every lab scenario that can be rebuilt, rebuilt here on the real dockerd with a real `docker run`
// on a test port, then `bin/portdoctor diagnose … --json`: the cause AND the named holder must be
// the pid we started, the container we created, the rule we wrote. What the engine itself answers
// (its wording, success or refusal) comes from ./engine-expect.ts, one row per engine.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMPOSE_V2, diagnoseJson, dockerReady, ENGINE, IMAGE, Lab, nftHandle, portBlock, sh, TAG } from './helpers.js';

const P = portBlock(0);
const ORPHAN_IP = '172.17.0.250'; // inside docker0's /16, never handed out here; never contacted
const notReady = dockerReady();
const lab = new Lab();
afterEach(() => lab.cleanup());

describe.skipIf(notReady !== null)(
  `live diagnose on dockerd ${ENGINE.id}${notReady ? ` (skipped: ${notReady})` : ''}`,
  () => {
    beforeAll(() => {
      // the DOCKER nat chain exists once dockerd has started with iptables enabled
      sh(['iptables', '-w', '-t', 'nat', '-S', 'DOCKER']);
    });

    it('host-process: a host listener on 0.0.0.0:P → host-process naming its pid (and for -p 127.0.0.1:P too)', async () => {
      const port = P(1);
      const pid = await lab.hold({ proto: 'tcp', host: '0.0.0.0', port });
      const err = lab.runFails(['-p', `${port}:80`]);
      expect(err).toMatch(ENGINE.hostBindInUse({ ip: '0.0.0.0', port }));
      const d = diagnoseJson(String(port), ['--error', err]);
      expect(d.json.verdict.cause).toBe('host-process');
      expect(d.json.holders[0]).toMatchObject({ kind: 'process', pid, comm: 'node' });
      expect(d.code).toBe(1);
      const lo = diagnoseJson(`127.0.0.1:${port}`);
      expect(lo.json.verdict.cause).toBe('host-process');
      expect(lo.json.holders[0]).toMatchObject({ pid });
    });

    it('host-process-loopback: a 127.0.0.1 holder blocks 0.0.0.0 and 127.0.0.1 but not 127.0.0.2 or [::1]', async () => {
      const port = P(2);
      const pid = await lab.hold({ proto: 'tcp', host: '127.0.0.1', port });
      expect(diagnoseJson(String(port)).json.holders[0]).toMatchObject({ kind: 'process', pid });
      const free = diagnoseJson(`127.0.0.2:${port}`);
      expect(free.json.verdict.cause).toBe('port-free');
      expect(free.code).toBe(0);
      // the lab's control: docker agrees
      lab.run(['-p', `127.0.0.2:${port}:80`]);
    });

    it('host-process-v6only: a v6-only [::] holder blocks -p P (tcp6) but not -p 0.0.0.0:P', async () => {
      const port = P(3);
      const pid = await lab.hold({ proto: 'tcp', host: '::', port, v6only: true });
      const err = lab.runFails(['-p', `${port}:80`]);
      expect(err).toMatch(ENGINE.hostBindInUse({ ip: '::', port }));
      const d = diagnoseJson(String(port), ['--error', err]);
      expect(d.json.verdict.cause).toBe('host-process');
      expect(d.json.holders[0]).toMatchObject({ pid, bind: { ip: '::', v6only: true } });
      expect(diagnoseJson(`0.0.0.0:${port}`).json.verdict.cause).toBe('port-free');
    });

    it('host-process-v6dual: a dual-stack [::] holder also blocks 127.0.0.1:P', async () => {
      const port = P(4);
      const pid = await lab.hold({ proto: 'tcp', host: '::', port, v6only: false });
      const err = lab.runFails(['-p', `127.0.0.1:${port}:80`]);
      expect(err).toMatch(ENGINE.hostBindInUse({ ip: '127.0.0.1', port }));
      const d = diagnoseJson(`127.0.0.1:${port}`, ['--error', err]);
      expect(d.json.verdict).toMatchObject({ cause: 'host-process', confidence: 'certain' });
      expect(d.json.holders[0]).toMatchObject({ pid, bind: { ip: '::', v6only: false } });
    });

    it('host-process-udp: a UDP holder blocks P/udp but not P/tcp', async () => {
      const port = P(5);
      const pid = await lab.hold({ proto: 'udp', host: '0.0.0.0', port });
      const err = lab.runFails(['-p', `${port}:80/udp`]);
      expect(err).toMatch(ENGINE.hostBindInUse({ ip: '0.0.0.0', port, proto: 'udp' }));
      const d = diagnoseJson(`${port}/udp`, ['--error', err]);
      expect(d.json.verdict.cause).toBe('host-process');
      expect(d.json.holders[0]).toMatchObject({ pid, bind: { proto: 'udp' } });
      expect(diagnoseJson(`${port}/tcp`).json.verdict.cause).toBe('port-free');
    });

    it('other-container: "already allocated" on the same IP; from 127.0.0.1 the engine\'s own refusal — both a container', () => {
      const port = P(6);
      const id = lab.run(['--name', `pdtest-holder-${port}`, '-p', `${port}:80`]);
      const err = lab.runFails(['-p', `${port}:80`]);
      expect(err).toMatch(ENGINE.allocated({ port }));
      const d = diagnoseJson(String(port), ['--error', err]);
      expect(d.json.verdict.cause).toBe('container');
      expect(d.json.holders[0]).toMatchObject({ kind: 'container', id, name: `pdtest-holder-${port}` });
      const err2 = lab.runFails(['-p', `127.0.0.1:${port}:80`]);
      expect(err2).toMatch(ENGINE.loopbackBesideWildcard(port));
      const d2 = diagnoseJson(`127.0.0.1:${port}`, ['--error', err2]);
      expect(d2.json.verdict.cause).toBe('container');
      expect(d2.json.holders[0]).toMatchObject({ kind: 'container', id });
    });

    it('other-container-stopped: a Created container holds nothing, but would claim the port on start', () => {
      const port = P(7);
      const created = lab.create(['--name', `pdtest-created-${port}`, '-p', `${port}:80`]);
      const d = diagnoseJson(String(port));
      expect(d.json.verdict.cause).toBe('port-free');
      expect(d.code).toBe(0);
      expect(d.json.findings).toContainEqual(
        expect.objectContaining({ rule: 'stopped-container-claims-port', severity: 'info' }),
      );
      const running = lab.run(['-p', `${port}:80`]);
      const startErr = sh(['docker', 'start', created], { allowFail: true });
      expect(startErr.stderr).toMatch(ENGINE.allocated({ port }));
      const d2 = diagnoseJson(String(port), ['--error', startErr.stderr]);
      expect(d2.json.verdict.cause).toBe('container');
      expect(d2.json.holders[0]).toMatchObject({ id: running });
    });

    it('host-network-container: invisible in docker ps ports, named through its cgroup', () => {
      const port = P(8);
      const id = lab.run(['--network', 'host'], ['/bin/busybox', 'httpd', '-f', '-p', String(port), '-h', '/www']);
      for (let i = 0; i < 50 && !sh(['ss', '-Hltn', `sport = :${port}`]).stdout.trim(); i++) sh(['sleep', '0.1']);
      expect(sh(['docker', 'ps', '--filter', `id=${id}`, '--format', '{{.Ports}}']).stdout.trim()).toBe('');
      const err = lab.runFails(['-p', `${port}:80`]);
      expect(err).toMatch(ENGINE.hostBindInUse({ ip: '0.0.0.0', port }));
      const d = diagnoseJson(String(port), ['--error', err]);
      expect(d.json.verdict.cause).toBe('host-network-container');
      expect(d.json.holders[0]).toMatchObject({ kind: 'container', id, comm: 'busybox' });
    });

    it('orphan-dnat: docker run SUCCEEDS behind an orphan DNAT in DOCKER; diagnose reports the hazard and the rule', () => {
      const port = P(9);
      const spec = [
        '!',
        '-i',
        'docker0',
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
        `${ORPHAN_IP}:80`,
      ];
      lab.apply(
        ['iptables', '-w', '-t', 'nat', '-A', 'DOCKER', ...spec],
        ['iptables', '-w', '-t', 'nat', '-D', 'DOCKER', ...spec],
      );
      const before = diagnoseJson(String(port));
      expect(before.json.verdict.cause).toBe('orphan-dnat');
      const victim = lab.run(['-p', `${port}:80`]); // succeeds: the lab's point
      const d = diagnoseJson(String(port));
      expect(d.json.verdict.cause).toBe('orphan-dnat');
      expect(d.json.holders[0]).toMatchObject({
        kind: 'rule',
        backend: 'iptables-nft',
        table: 'nat',
        chain: 'DOCKER',
        toIp: ORPHAN_IP,
      });
      expect(String(d.json.holders[0]?.rule)).toContain(`--dport ${port}`);
      expect(d.json.holders).toContainEqual(expect.objectContaining({ kind: 'container', id: victim }));
    });

    it('orphan-dnat-sameip: a leftover aimed at the IP the next container gets is adopted, and orphaned again after rm', () => {
      const port = P(10);
      const used = sh([
        'docker',
        'network',
        'inspect',
        'bridge',
        '-f',
        '{{range .Containers}}{{.IPv4Address}} {{end}}',
      ]).stdout;
      let ip = '';
      for (let i = 2; i < 250; i++)
        if (!used.includes(`172.17.0.${i}/`)) {
          ip = `172.17.0.${i}`;
          break;
        }
      const spec = [
        '!',
        '-i',
        'docker0',
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
        `${ip}:80`,
      ];
      lab.apply(
        ['iptables', '-w', '-t', 'nat', '-A', 'DOCKER', ...spec],
        ['iptables', '-w', '-t', 'nat', '-D', 'DOCKER', ...spec],
      );
      const id = lab.run(['-p', `${port}:80`]);
      expect(lab.inspect(id, '{{.NetworkSettings.IPAddress}}')).toBe(ip);
      const during = diagnoseJson(String(port));
      expect(during.json.verdict.cause).toBe('container');
      expect(during.json.findings.map((f) => f.rule)).not.toContain('orphan-dnat');
      sh(['docker', 'rm', '-f', id]);
      const after = diagnoseJson(String(port));
      expect(after.json.verdict.cause).toBe('orphan-dnat');
      expect(after.json.holders[0]).toMatchObject({ kind: 'rule', toIp: ip });
    });

    it('orphan-dnat-legacy: a DNAT in iptables-legacy while Docker uses iptables-nft → firewall-split-brain', () => {
      const port = P(11);
      const chain = 'PDTEST-LEGACY';
      const jump = ['-m', 'addrtype', '--dst-type', 'LOCAL', '-m', 'comment', '--comment', TAG, '-j', chain];
      const rule = [
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
        `${ORPHAN_IP}:80`,
      ];
      lab.apply(
        ['iptables-legacy', '-w', '-t', 'nat', '-N', chain],
        ['iptables-legacy', '-w', '-t', 'nat', '-X', chain],
      );
      lab.apply(
        ['iptables-legacy', '-w', '-t', 'nat', '-A', 'PREROUTING', ...jump],
        ['iptables-legacy', '-w', '-t', 'nat', '-D', 'PREROUTING', ...jump],
      );
      lab.apply(
        ['iptables-legacy', '-w', '-t', 'nat', '-A', chain, ...rule],
        ['iptables-legacy', '-w', '-t', 'nat', '-D', chain, ...rule],
      );
      lab.run(['-p', `${port}:80`]); // succeeds
      const d = diagnoseJson(String(port));
      expect(d.json.verdict.cause).toBe('firewall-split-brain');
      expect(d.json.holders[0]).toMatchObject({
        kind: 'rule',
        backend: 'iptables-legacy',
        table: 'nat',
        chain,
        toIp: ORPHAN_IP,
      });
    });

    it('orphan-dnat-nft: a native nft rule in ip nat DOCKER blinds iptables-save; nft -j still finds it', () => {
      const port = P(12);
      sh([
        'nft',
        'add',
        'rule',
        'ip',
        'nat',
        'DOCKER',
        'iifname',
        '!=',
        'docker0',
        'meta',
        'l4proto',
        'tcp',
        'tcp',
        'dport',
        String(port),
        'counter',
        'dnat',
        'to',
        `${ORPHAN_IP}:80`,
        'comment',
        `"${TAG}"`,
      ]);
      const handle = nftHandle('ip', 'nat', 'DOCKER');
      expect(handle).not.toBeNull();
      lab.onCleanup(() => {
        sh(['nft', 'delete', 'rule', 'ip', 'nat', 'DOCKER', 'handle', String(handle)], { allowFail: true });
      });
      expect(
        sh(['iptables-save', '-t', 'nat'], { allowFail: true }).stdout +
          sh(['iptables-save', '-t', 'nat'], { allowFail: true }).stderr,
      ).toMatch(/incompatible/);
      lab.run(['-p', `${port}:80`]);
      const d = diagnoseJson(String(port));
      expect(d.json.verdict.cause).toBe('orphan-dnat');
      expect(d.json.holders[0]).toMatchObject({
        kind: 'rule',
        backend: 'nft',
        table: 'nat',
        chain: 'DOCKER',
        handle,
        toIp: ORPHAN_IP,
      });
    });

    it('orphan-dnat-nft-table: its own nft table at priority -110 wins over Docker; only nft shows it', () => {
      const port = P(13);
      const table = 'portdoctor_test_orphan';
      sh(['nft', '-f', '-'], {
        input: `table ip ${table} {
  chain prerouting {
    type nat hook prerouting priority -110; policy accept;
    fib daddr type local tcp dport ${port} counter dnat to ${ORPHAN_IP}:80 comment "${TAG}"
  }
  chain output {
    type nat hook output priority -110; policy accept;
    ip daddr != 127.0.0.0/8 fib daddr type local tcp dport ${port} counter dnat to ${ORPHAN_IP}:80 comment "${TAG}"
  }
}\n`,
      });
      lab.onCleanup(() => {
        sh(['nft', 'delete', 'table', 'ip', table], { allowFail: true });
      }); // our own table only
      lab.run(['-p', `${port}:80`]);
      const d = diagnoseJson(String(port));
      expect(d.json.verdict.cause).toBe('orphan-dnat');
      expect(d.json.holders[0]).toMatchObject({ kind: 'rule', backend: 'nft', table, toIp: ORPHAN_IP });
    });

    it('stale-proxy: a docker-proxy not started by dockerd, forwarding to no container → stale-docker-proxy (its pid)', async () => {
      const port = P(14);
      const pid = await lab.spawnWithFd3(
        [
          ENGINE.dockerProxy, // a stale proxy of this engine's own build
          '-proto',
          'tcp',
          '-host-ip',
          '0.0.0.0',
          '-host-port',
          String(port),
          '-container-ip',
          ORPHAN_IP,
          '-container-port',
          '80',
        ],
        port,
      );
      const err = lab.runFails(['-p', `0.0.0.0:${port}:80`]);
      expect(err).toMatch(ENGINE.hostBindInUse({ ip: '0.0.0.0', port }));
      const d = diagnoseJson(`0.0.0.0:${port}`, ['--error', err]);
      expect(d.json.verdict.cause).toBe('stale-docker-proxy');
      expect(d.json.holders[0]).toMatchObject({ kind: 'docker-proxy', pid, containerIp: ORPHAN_IP });
    });

    it('killed-proxy: a running container whose docker-proxy died → stale-allocation, "already allocated" with no listener', () => {
      const port = P(15);
      const id = lab.run(['--name', `pdtest-victim-${port}`, '-p', `${port}:80`]);
      const ip = lab.inspect(id, '{{.NetworkSettings.IPAddress}}');
      const dockerd = sh(['pidof', 'dockerd']).stdout.trim().split(/\s+/);
      const pids = sh(['ps', '-C', 'docker-proxy', '-o', 'pid=,ppid=,args='])
        .stdout.split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => dockerd.includes(f[1] ?? '') && f.join(' ').includes(`-host-port ${port} -container-ip ${ip} `))
        .map((f) => f[0] as string);
      expect(pids.length).toBeGreaterThan(0);
      // 28: dockerd bound the host socket itself and handed it over (-use-listen-fd); 20.10: the proxy binds
      const proxyArgs = sh(['ps', '-o', 'args=', '-p', pids.join(',')]).stdout;
      expect(proxyArgs.includes('-use-listen-fd')).toBe(ENGINE.dockerdBindsHostSockets);
      sh(['kill', '-9', ...pids]); // only this test container's own proxies
      sh(['sleep', '0.3']);
      const err = lab.runFails(['-p', `${port}:80`]);
      expect(err).toMatch(ENGINE.allocated({ port }));
      const d = diagnoseJson(String(port), ['--error', err]);
      expect(d.json.verdict.cause).toBe('stale-allocation');
      expect(d.json.holders[0]).toMatchObject({ kind: 'container', id });
    });

    it('resolved-stub: a process named systemd-resolve on 127.0.0.53 (udp without SO_REUSEADDR, tcp) → resolved-stub; 127.0.0.1:P is free', async () => {
      const port = P(16); // the real stub uses 53; the test stays in its port range
      const upid = await lab.hold({ proto: 'udp', host: '127.0.0.53', port, comm: 'systemd-resolve' });
      await lab.hold({ proto: 'tcp', host: '127.0.0.53', port, comm: 'systemd-resolve' });
      const err = lab.runFails(['-p', `${port}:53/udp`]); // refused on every engine: no SO_REUSEADDR on the stub
      expect(err).toMatch(ENGINE.hostBindInUse({ ip: '0.0.0.0', port, proto: 'udp' }));
      const d = diagnoseJson(`${port}/udp`, ['--error', err]);
      expect(d.json.verdict.cause).toBe('resolved-stub');
      expect(d.json.holders[0]).toMatchObject({ kind: 'process', pid: upid, comm: 'systemd-resolve' });
      expect(diagnoseJson(`127.0.0.1:${port}/udp`).json.verdict.cause).toBe('port-free');
    });

    // systemd-resolved sets SO_REUSEADDR on its stub's UDP socket; whether -p P/udp then works is the
    // engine's own socket options (engine-expect.ts: udpBesideReusableStub)
    const stubUdp = async (port: number) => {
      const upid = await lab.hold({ proto: 'udp', host: '127.0.0.53', port, comm: 'systemd-resolve', reuseAddr: true });
      await lab.hold({ proto: 'tcp', host: '127.0.0.53', port, comm: 'systemd-resolve' });
      return upid;
    };
    const publishUdp = (port: number): { published: boolean; err: string } => {
      try {
        lab.run(['-p', `${port}:53/udp`]);
        return { published: true, err: '' };
      } catch (e) {
        return { published: false, err: (e as { stderr?: string }).stderr ?? String(e) };
      }
    };

    it(`resolved-stub-reuseaddr, the engine: -p P/udp beside a SO_REUSEADDR stub is ${ENGINE.udpBesideReusableStub} on ${ENGINE.id}`, async () => {
      const port = P(18);
      await stubUdp(port);
      const r = publishUdp(port);
      expect(r.published ? 'published' : 'refused').toBe(ENGINE.udpBesideReusableStub);
      if (!r.published) expect(r.err).toMatch(ENGINE.hostBindInUse({ ip: '0.0.0.0', port, proto: 'udp' }));
    });

    const known = ENGINE.knownWrong.udpBesideReusableStub;
    (known ? it.fails : it)(
      `resolved-stub-reuseaddr, the verdict before the publish follows what the engine then did${known ? ` (KNOWN WRONG on ${ENGINE.id}: ${known})` : ''}`,
      async () => {
        const port = P(19);
        const upid = await stubUdp(port);
        const before = diagnoseJson(`${port}/udp`);
        const r = publishUdp(port);
        if (r.published) {
          expect(before.json.verdict.cause).toBe('port-free');
          expect(before.code).toBe(0);
        } else {
          expect(before.json.verdict.cause).toBe('resolved-stub');
          expect(before.json.holders[0]).toMatchObject({ kind: 'process', pid: upid, comm: 'systemd-resolve' });
        }
      },
    );

    // Compose v1 (Debian 12's docker-compose 1.29) and Compose v2 (sid's 2.40.3, scripts/engines.sh)
    for (const [n, compose] of [
      [17, 'docker-compose'],
      [20, COMPOSE_V2],
    ] as const)
      it.skipIf(compose === null)(
        `compose-duplicate (${n === 17 ? 'Compose v1' : 'Compose v2'}): two services on one port → container, naming the compose project and service`,
        () => {
          const port = P(n);
          const bin = compose as string;
          const dir = mkdtempSync(join(tmpdir(), 'pdtest-compose-'));
          const project = `pdtest${port}`;
          const file = join(dir, 'docker-compose.yml');
          writeFileSync(
            file,
            `version: "3.7"
services:
  web-a:
    image: ${IMAGE}
    ports: ["${port}:80"]
    labels: {portdoctor.test: "1"}
  web-b:
    image: ${IMAGE}
    ports: ["${port}:80"]
    labels: {portdoctor.test: "1"}
`,
          );
          lab.onCleanup(() => {
            sh([bin, '-p', project, '-f', file, 'down', '-t', '1'], { allowFail: true });
            const left = sh(['docker', 'ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`], {
              allowFail: true,
            }).stdout.trim();
            if (left) sh(['docker', 'rm', '-f', ...left.split('\n')], { allowFail: true });
          });
          const up = sh([bin, '--ansi', 'never', '-p', project, '-f', file, 'up', '-d'], { allowFail: true });
          expect(up.code).not.toBe(0);
          expect(up.stderr).toMatch(ENGINE.allocated({ port }));
          const d = diagnoseJson(String(port), ['--error', up.stderr]);
          expect(d.json.verdict.cause).toBe('container');
          expect(d.json.holders[0]).toMatchObject({ kind: 'container', composeProject: project });
          expect(['web-a', 'web-b']).toContain(d.json.holders[0]?.composeService);
        },
      );
  },
);
