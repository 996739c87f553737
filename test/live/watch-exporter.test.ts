// watch and exporter on the real dockerd, and a real Prometheus (Debian's package, on loopback)
// scraping the exporter until the orphan-DNAT alert fires.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, dockerReady, Lab, portBlock, ROOT, sh, TAG } from './helpers.js';
import { validateOutput } from '../helpers/json-schema.js';

const P = portBlock(4);
const lab = new Lab();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  lab.cleanup();
});
const notReady = dockerReady();

function start(
  args: string[],
  bin = BIN,
): { child: ChildProcess; lines: string[]; waitFor: (re: RegExp, ms?: number) => Promise<string> } {
  const child = spawn(bin, args, { env: { ...process.env, PORTDOCTOR_TEST: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const lines: string[] = [];
  let buf = '';
  child.stdout?.on('data', (d: Buffer) => {
    buf += String(d);
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  child.stderr?.on('data', (d: Buffer) => {
    for (const l of String(d).split('\n')) if (l) lines.push(`stderr: ${l}`);
  });
  const waitFor = async (re: RegExp, ms = 30_000): Promise<string> => {
    const t0 = Date.now();
    for (;;) {
      const hit = lines.find((l) => re.test(l));
      if (hit) return hit;
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${re}; got:\n${lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { child, lines, waitFor };
}

async function scrape(port: number): Promise<string> {
  return (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
}
const value = (text: string, series: string): number | null => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : null;
};

describe.skipIf(notReady !== null)(`watch and exporter${notReady ? ` (skipped: ${notReady})` : ''}`, () => {
  it('watch --json: a docker run that fails on a port → one JSON line with the diagnosis; a restart loop → another', async () => {
    const w = start(['watch', '--json']);
    await w.waitFor(/"event":"watching"/);
    const port = P(1);
    const holder = lab.run(['--name', `pdtest-watch-holder-${port}`, '-p', `${port}:80`]);
    lab.runFails(['--name', `pdtest-watch-victim-${port}`, '-p', `${port}:80`]);
    const line = validateOutput('watch-line', JSON.parse(await w.waitFor(/"event":"start-failed"/))) as {
      time: string;
      event: string;
      container: { name: string };
      cause: string;
      diagnosis: { holders: Array<{ id?: string }> };
    };
    expect(line).toMatchObject({
      event: 'start-failed',
      container: { name: `pdtest-watch-victim-${port}` },
      cause: 'container',
    });
    expect(line.diagnosis.holders[0]?.id).toBe(holder);
    expect(Date.parse(line.time)).toBeGreaterThan(0);
    const loop = lab.run(
      ['--name', `pdtest-watch-loop-${port}`, '--restart', 'always', '-p', `${P(2)}:80`],
      ['/bin/busybox', 'false'],
    );
    const l2 = validateOutput('watch-line', JSON.parse(await w.waitFor(/"event":"restart-loop"/, 60_000))) as {
      container: { id: string };
      restarts: number;
    };
    expect(l2.container.id).toBe(loop);
    expect(l2.restarts).toBeGreaterThanOrEqual(3);
  });

  it('watch: `docker start` of an existing container fails (no event at all): caught from the daemon log', async () => {
    const w = start(['watch', '--json']);
    await w.waitFor(/"event":"watching"/);
    const port = P(5);
    const id = lab.create(['--name', `pdtest-watch-start-${port}`, '-p', `${port}:80`]);
    const pid = await lab.hold({ proto: 'tcp', host: '0.0.0.0', port });
    const r = sh(['docker', 'start', `pdtest-watch-start-${port}`], { allowFail: true }); // by name, as users do
    expect(r.code).not.toBe(0);
    const line = validateOutput('watch-line', JSON.parse(await w.waitFor(/"event":"start-failed"/))) as {
      container: { id: string; name: string };
      cause: string;
      diagnosis: { holders: Array<{ pid?: number }> };
    };
    expect(line).toMatchObject({ container: { id, name: `pdtest-watch-start-${port}` }, cause: 'host-process' });
    expect(line.diagnosis.holders[0]?.pid).toBe(pid);
  });

  it('exporter: orphan rules, start failures, restarts and dockerd log errors appear in /metrics', async () => {
    const mport = P(10);
    const e = start(['exporter', '--listen', `127.0.0.1:${mport}`, '--cache-seconds', '0']);
    await e.waitFor(/exporter: http:/);
    const before = await scrape(mport);
    expect(value(before, 'portdoctor_orphan_dnat_rules{backend="iptables-nft"}')).toBe(0);
    const source = /portdoctor_daemon_log_source_info\{source="(\w+)"\} 1/.exec(before)?.[1];
    expect(['file', 'journald']).toContain(source);
    const port = P(11);
    const spec = [
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
      '172.17.0.250:80',
    ];
    lab.apply(
      ['iptables', '-w', '-t', 'nat', '-A', 'DOCKER', ...spec],
      ['iptables', '-w', '-t', 'nat', '-D', 'DOCKER', ...spec],
    );
    lab.run(['-p', `${P(12)}:80`]);
    lab.runFails(['-p', `${P(12)}:80`]);
    for (let i = 0; i < 50; i++) {
      const t = await scrape(mport);
      // a scrape may answer from the previous collection (stale-while-revalidate): wait for both signals
      if (
        (value(t, 'portdoctor_container_start_failures_total{stage="port-allocator"}') ?? 0) >= 1 &&
        (value(t, 'portdoctor_daemon_log_errors_total{error="port_already_allocated"}') ?? 0) >= 1
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const after = await scrape(mport);
    expect(value(after, 'portdoctor_orphan_dnat_rules{backend="iptables-nft"}')).toBe(1);
    expect(value(after, 'portdoctor_findings{cause="orphan-dnat"}')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'portdoctor_container_start_failures_total{stage="port-allocator"}')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'portdoctor_daemon_log_errors_total{error="port_already_allocated"}')).toBeGreaterThanOrEqual(
      1,
    );
    expect(value(after, 'portdoctor_published_host_ports')).toBeGreaterThanOrEqual(2);
    lab.run(['--restart', 'always'], ['/bin/busybox', 'false']);
    let restarts = 0;
    for (let i = 0; i < 60 && restarts < 2; i++) {
      await new Promise((r) => setTimeout(r, 250));
      restarts = value(await scrape(mport), 'portdoctor_container_restarts_total') ?? 0;
    }
    expect(restarts).toBeGreaterThanOrEqual(2);
  });

  it('a real Prometheus scrapes the exporter and PortdoctorOrphanDnat goes to firing', async () => {
    const mport = P(20);
    const pport = P(21);
    const e = start(['exporter', '--listen', `127.0.0.1:${mport}`, '--cache-seconds', '1', '--no-events']);
    await e.waitFor(/exporter: http:/);
    const port = P(22);
    const spec = [
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
      '172.17.0.251:80',
    ];
    lab.apply(
      ['iptables', '-w', '-t', 'nat', '-A', 'DOCKER', ...spec],
      ['iptables', '-w', '-t', 'nat', '-D', 'DOCKER', ...spec],
    );
    const dir = mkdtempSync(join(tmpdir(), 'pd-prom-'));
    writeFileSync(
      join(dir, 'prometheus.yml'),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files: ["${ROOT}deploy/prometheus/alerts.yml"]\nscrape_configs:\n  - job_name: portdoctor\n    static_configs: [{targets: ["127.0.0.1:${mport}"]}]\n`,
    );
    const prom = start(
      [
        '--config.file',
        join(dir, 'prometheus.yml'),
        '--storage.tsdb.path',
        join(dir, 'data'),
        '--web.listen-address',
        `127.0.0.1:${pport}`,
      ],
      sh(['sh', '-c', 'command -v prometheus || echo /usr/bin/prometheus']).stdout.trim(),
    );
    await prom.waitFor(/Server is ready to receive web requests/, 30_000);
    let state = '';
    for (let i = 0; i < 100 && state !== 'firing'; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      const r = await fetch(`http://127.0.0.1:${pport}/api/v1/alerts`)
        .then(
          (x) =>
            x.json() as Promise<{
              data: { alerts: Array<{ labels: { alertname: string; backend?: string }; state: string }> };
            }>,
        )
        .catch(() => null);
      state =
        r?.data.alerts.find((a) => a.labels.alertname === 'PortdoctorOrphanDnat' && a.labels.backend === 'iptables-nft')
          ?.state ?? state;
    }
    expect(state).toBe('firing');
  }, 150_000);
});
