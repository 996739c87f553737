import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countLine, type LogSignal } from '../../src/collect/daemon-log.js';
import { createMetrics, observeSnapshot } from '../../src/exporter/metrics.js';
import { singleFlight } from '../../src/exporter/server.js';
import { parseEvent, RestartCounter, startFailure } from '../../src/watch/detector.js';
import { FACT_KEYS } from '../../src/model.js';
import { VERSION } from '../../src/version.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const metricsOf = async (cap: string) => {
  const m = createMetrics();
  observeSnapshot(m, snapshotFromCapture(cap), 0.05, 1_700_000_000);
  return m.registry.metrics();
};

describe('exporter metrics from recorded hosts', () => {
  it('an orphan DNAT is counted per backend; findings carry the verdict cause', async () => {
    const t = await metricsOf('orphan-dnat/before-run');
    expect(t).toMatch(/^portdoctor_orphan_dnat_rules\{backend="iptables-nft"\} 1$/m);
    expect(t).toMatch(/^portdoctor_orphan_dnat_rules\{backend="nft"\} 0$/m);
    expect(t).toMatch(/^portdoctor_findings\{cause="orphan-dnat"\} 1$/m);
    expect(t).toMatch(/^portdoctor_docker_chain_dnat_rules\{backend="iptables-nft"\} 1$/m);
  });
  it('a split-brain orphan is counted in iptables-legacy; a healthy container is no finding', async () => {
    expect(await metricsOf('orphan-dnat-legacy')).toMatch(
      /^portdoctor_orphan_dnat_rules\{backend="iptables-legacy"\} 1$/m,
    );
    const ok = await metricsOf('other-container');
    expect(ok).not.toMatch(/^portdoctor_findings\{/m);
    expect(ok).toMatch(/^portdoctor_published_host_ports 2$/m);
    expect(ok).toMatch(/^portdoctor_listening_sockets\{owner_kind="docker-proxy"\} 2$/m);
  });
  it('killed proxy → a stale-allocation finding; a stale proxy → stale-docker-proxy', async () => {
    expect(await metricsOf('killed-proxy/after-kill')).toMatch(/^portdoctor_findings\{cause="stale-allocation"\} 1$/m);
    expect(await metricsOf('stale-proxy')).toMatch(/^portdoctor_findings\{cause="stale-docker-proxy"\} 1$/m);
  });
  it('build_info is 1 with the version and Node; collector_success is there for every collector, 0 when it failed', async () => {
    const t = await metricsOf('orphan-dnat');
    expect(t).toMatch(
      new RegExp(
        `^portdoctor_build_info\\{version="${VERSION}",node="${process.versions.node}",platform="linux",arch="${process.arch}"\\} 1$`,
        'm',
      ),
    );
    for (const k of FACT_KEYS)
      expect(t).toMatch(new RegExp(`^portdoctor_collector_success\\{collector="${k}"\\} [01]$`, 'm'));
    const m = createMetrics();
    const snap = snapshotFromCapture('orphan-dnat');
    const failed = {
      ...snap,
      nft: { ok: false as const, error: { code: 'absent' as const, message: 'no nft' }, source: 'nft -j list ruleset' },
    };
    observeSnapshot(m, failed, 0.05, 1_700_000_000);
    const f = await m.registry.metrics();
    expect(f).toMatch(/^portdoctor_collector_success\{collector="nft"\} 0$/m);
    expect(f).toMatch(/^portdoctor_collector_success\{collector="sockets"\} 1$/m);
    // the next collection that reads it clears the failure
    observeSnapshot(m, snap, 0.05, 1_700_000_010);
    expect(await m.registry.metrics()).toMatch(
      new RegExp(`^portdoctor_collector_success\\{collector="nft"\\} ${snap.nft.ok ? 1 : 0}$`, 'm'),
    );
  });
  it('the exposition passes `promtool check metrics` (names, units, _total only on counters)', async () => {
    const r = spawnSync('promtool', ['check', 'metrics'], { input: await metricsOf('orphan-dnat'), encoding: 'utf8' });
    expect(r.error, 'promtool is installed by scripts/test-env.sh (Debian package prometheus)').toBeUndefined();
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('shipped Prometheus and Grafana files', () => {
  it('alerts.yml passes `promtool check rules`', () => {
    const r = spawnSync('promtool', ['check', 'rules', `${ROOT}deploy/prometheus/alerts.yml`], { encoding: 'utf8' });
    expect(r.stdout).toMatch(/SUCCESS: 10 rules found/);
    expect(r.status).toBe(0);
  });
  it('the alerts fire as alerts.test.yml says (`promtool test rules`): exporter down, absent, stale, collector failing', () => {
    const r = spawnSync('promtool', ['test', 'rules', `${ROOT}deploy/prometheus/alerts.test.yml`], {
      encoding: 'utf8',
    });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
    const tested = new Set(
      [...readFileSync(`${ROOT}deploy/prometheus/alerts.test.yml`, 'utf8').matchAll(/alertname: (\w+)/g)].map(
        (m) => m[1],
      ),
    );
    for (const a of [
      'PortdoctorExporterDown',
      'PortdoctorExporterAbsent',
      'PortdoctorCollectionStale',
      'PortdoctorCollectorFailing',
    ])
      expect(tested).toContain(a);
  });
  it('every alert has a runbook_url to a page in docs/runbooks/', () => {
    const text = readFileSync(`${ROOT}deploy/prometheus/alerts.yml`, 'utf8');
    const alerts = [...text.matchAll(/- alert: (\w+)/g)].map((m) => m[1]);
    const books = [...text.matchAll(/runbook_url: "([^"]+)"/g)].map((m) => m[1] as string);
    expect(books).toHaveLength(alerts.length);
    const base = 'https://github.com/portdoctor/portdoctor/blob/main/';
    for (const [i, u] of books.entries()) {
      expect(u).toBe(`${base}docs/runbooks/${alerts[i]}.md`);
      expect(existsSync(`${ROOT}${u.slice(base.length)}`), u).toBe(true);
    }
  });
  it('every metric the alerts and the dashboard use is one the exporter exposes', async () => {
    const exposed = new Set([...(await metricsOf('orphan-dnat')).matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]));
    const used = (text: string) => new Set([...text.matchAll(/\b(portdoctor_[a-z_]+)\b/g)].map((m) => m[1]));
    for (const f of ['deploy/prometheus/alerts.yml', 'deploy/grafana/portdoctor-dashboard.json']) {
      for (const name of used(readFileSync(`${ROOT}${f}`, 'utf8')))
        expect(exposed, `${f} uses ${name}`).toContain(name);
    }
    const dash = JSON.parse(readFileSync(`${ROOT}deploy/grafana/portdoctor-dashboard.json`, 'utf8'));
    expect(dash.panels.length).toBeGreaterThan(5);
  });
});

describe('daemon log counting', () => {
  it('counts each failure once (the handler error, not the warning before it)', () => {
    const c: Record<LogSignal, number> = { address_in_use: 0, port_already_allocated: 0, userland_proxy_failed: 0 };
    for (const l of readFileSync(
      new URL('../fixtures/lab/host-process/attempts/default.dockerd.log', import.meta.url),
      'utf8',
    ).split('\n'))
      countLine(l, c);
    for (const l of readFileSync(
      new URL('../fixtures/lab/other-container/attempts/default.dockerd.log', import.meta.url),
      'utf8',
    ).split('\n'))
      countLine(l, c);
    expect(c).toEqual({ address_in_use: 1, port_already_allocated: 1, userland_proxy_failed: 1 });
  });
});

describe('events', () => {
  it('parses Engine event lines (old and new fields) and trips a restart loop at the threshold, once per window', () => {
    const e = (t: number) =>
      parseEvent(
        JSON.stringify({
          status: 'die',
          id: 'abc',
          Type: 'container',
          Action: 'die',
          Actor: { ID: 'abc', Attributes: { name: 'web', exitCode: '1' } },
          time: t,
          timeNano: t * 1e9,
        }),
      )!;
    expect(e(100)).toMatchObject({ id: 'abc', action: 'die', name: 'web', exitCode: 1 });
    const rc = new RestartCounter(3, 120);
    expect([rc.onDie(e(100)), rc.onDie(e(101)), rc.onDie(e(102)), rc.onDie(e(103))]).toEqual([null, null, 3, null]);
    expect(parseEvent('{"Type":"network","Action":"connect"}')).toBeNull();
    expect(parseEvent('not json')).toBeNull();
  });
  it('a failed start is read from State.Error', () => {
    expect(
      startFailure({
        Name: '/x',
        State: {
          Status: 'created',
          Error:
            'driver failed programming external connectivity on endpoint x (y): Bind for 0.0.0.0:1 failed: port is already allocated',
        },
      }),
    ).toMatchObject({ name: 'x', state: 'created' });
    expect(startFailure({ State: { Status: 'running', Error: '' } })).toBeNull();
  });
});

describe('scrapes never stack collections', () => {
  it('concurrent scrapes share one collection, and a scrape inside the cache interval runs none', async () => {
    let runs = 0;
    let t = 0;
    let release: () => void = () => {};
    const f = singleFlight(
      () => {
        runs++;
        return new Promise<void>((r) => {
          release = r;
        });
      },
      10_000,
      () => t,
    );
    const a = f();
    const b = f();
    expect(runs).toBe(1);
    release();
    await Promise.all([a, b]);
    t = 5_000;
    await f();
    expect(runs).toBe(1);
    t = 20_000;
    const c = f();
    release();
    await c;
    expect(runs).toBe(2);
  });
});

describe('stale-while-revalidate', () => {
  it('after the first collection, an old cache is served at once while one refresh runs behind', async () => {
    let runs = 0;
    let t = 0;
    const releases: Array<() => void> = [];
    const f = singleFlight(
      () => {
        runs++;
        return new Promise<void>((r) => {
          releases.push(r);
        });
      },
      1_000,
      () => t,
      true,
    );
    const first = f();
    let firstDone = false;
    void first.then(() => {
      firstDone = true;
    });
    await Promise.resolve();
    expect(firstDone).toBe(false); // nothing to serve yet: the first scrape waits
    releases.shift()?.();
    await first;
    t = 5_000; // stale
    await f(); // answered at once
    expect(runs).toBe(2);
    await f(); // the refresh is still running: no second one
    expect(runs).toBe(2);
    releases.shift()?.();
  });
});

describe('failed starts from the daemon log (docker start leaves no event)', () => {
  it("reads the API handler line of the lab's dockerd log", async () => {
    const { failedStartLine } = await import('../../src/collect/daemon-log.js');
    const log = readFileSync(
      new URL('../fixtures/lab/other-container-stopped/attempts/start-created.dockerd.log', import.meta.url),
      'utf8',
    );
    const hits = log.split('\n').map(failedStartLine).filter(Boolean);
    expect(hits).toHaveLength(1);
    // `docker start NAME`: the handler path carries the name (inspect accepts either)
    expect(hits[0]).toMatchObject({
      id: 'portlab-other-container-stopped-created',
      error: expect.stringMatching(
        /^driver failed programming external connectivity .*Bind for 0\.0\.0\.0:18202 failed: port is already allocated$/,
      ),
    });
  });
});
