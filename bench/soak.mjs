// Soak of the two long-running commands: `portdoctor exporter` scraped once a second and `portdoctor
// watch --json`, side by side, for --minutes (default 30). A probe loaded into each (bench/soak-probe.mjs)
// samples RSS, heap, live abort listeners and active handles every few seconds and records every
// process warning (MaxListenersExceededWarning is how the sleep() leak showed). With --baseline=DIR (a
// checkout of another revision, built), the same pair runs from there at the same time, for a ratio.
// Nothing is created on the host: the exporter and watch only read it. Writes bench/results/soak.json.
// Usage: node scripts/build.mjs && node bench/soak.mjs [--minutes=30] [--port=29468] [--baseline=DIR]
//        (DOCKER_HOST chooses the daemon, as for portdoctor itself)
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const arg = (name, def) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? def;
const MINUTES = Number(arg('minutes', process.env.PORTDOCTOR_SOAK_MINUTES ?? '30'));
const PORT = Number(arg('port', '29468'));
const BASELINE = arg('baseline', null);
const CACHE = arg('cache-seconds', '10');
const EVERY_MS = Number(arg('sample-ms', '5000'));
if (!(MINUTES > 0) || !(PORT >= 20000 && PORT <= 29998)) {
  console.error('soak: --minutes must be > 0 and --port within 20000-29998 (the test port range)');
  process.exit(2);
}
const tmp = join(tmpdir(), `pd-soak-${process.pid}`);
mkdirSync(tmp, { recursive: true });

function start(label, top, args) {
  const stats = join(tmp, `${label}.jsonl`);
  writeFileSync(stats, '');
  const c = spawn(join(top, 'bin/portdoctor'), args, {
    env: {
      ...process.env,
      PORTDOCTOR_TEST: '1',
      NO_COLOR: '1',
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${join(ROOT, 'bench/soak-probe.mjs')}`.trim(),
      PORTDOCTOR_SOAK_STATS: stats,
      PORTDOCTOR_SOAK_EVERY_MS: String(EVERY_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const p = { label, child: c, stats, stderr: '', stdoutLines: 0, exit: null };
  c.stdout.on('data', (d) => (p.stdoutLines += String(d).split('\n').length - 1));
  c.stderr.on('data', (d) => {
    if (p.stderr.length < 200_000) p.stderr += d;
  });
  c.on('exit', (code, sig) => (p.exit = { code, sig }));
  return p;
}

function scrape(port) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path: '/metrics', timeout: 30_000 }, (res) => {
      let n = 0;
      res.on('data', (d) => (n += d.length));
      res.on('end', () => resolve({ status: res.statusCode, ms: performance.now() - t0, bytes: n }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, ms: performance.now() - t0, error: e.message }));
    req.end();
  });
}

const sides = [{ name: 'this', top: ROOT, port: PORT }];
if (BASELINE) sides.push({ name: 'baseline', top: BASELINE, port: PORT + 1 });
for (const s of sides) {
  s.exporter = start(`${s.name}-exporter`, s.top, [
    'exporter',
    '--listen',
    `127.0.0.1:${s.port}`,
    '--cache-seconds',
    CACHE,
  ]);
  s.watch = start(`${s.name}-watch`, s.top, ['watch', '--json']);
  s.scrapes = [];
}

const deadline = Date.now() + MINUTES * 60_000;
await new Promise((r) => setTimeout(r, 1500));
let lastReport = Date.now();
while (Date.now() < deadline) {
  const t = Date.now();
  await Promise.all(sides.map(async (s) => s.scrapes.push(await scrape(s.port))));
  if (Date.now() - lastReport > 60_000) {
    lastReport = Date.now();
    const left = Math.round((deadline - Date.now()) / 60_000);
    process.stderr.write(`soak: ${left} min left\n`);
  }
  await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - t))));
}
for (const s of sides) for (const p of [s.exporter, s.watch]) p.child.kill('SIGTERM');
await new Promise((r) => setTimeout(r, 1500));
for (const s of sides) for (const p of [s.exporter, s.watch]) if (p.exit === null) p.child.kill('SIGKILL');

const MB = 1024 * 1024;
const pct = (a, b) => Math.round(((b - a) / a) * 1000) / 10;
const quantile = (xs, q) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length ? Math.round(v[Math.min(v.length - 1, Math.floor(q * v.length))] * 10) / 10 : null;
};
/** least-squares slope of y over t, per hour */
const slopePerHour = (pts) => {
  const n = pts.length;
  if (n < 2) return null;
  const mt = pts.reduce((a, p) => a + p.t, 0) / n;
  const my = pts.reduce((a, p) => a + p.y, 0) / n;
  const num = pts.reduce((a, p) => a + (p.t - mt) * (p.y - my), 0);
  const den = pts.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return den ? (num / den) * 3600 : null;
};
function summarize(p) {
  const samples = readFileSync(p.stats, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  if (!samples.length) return { samples: 0, exit: p.exit, stderr: p.stderr.slice(0, 2000) };
  // the first minute (or tenth of the run) warms up: the first collection, the JIT, the log tail's buffers
  const warmT = Math.min(60, (MINUTES * 60) / 10);
  const warm = samples.find((s) => s.t >= warmT) ?? samples[0];
  const last = samples[samples.length - 1];
  const after = samples.filter((s) => s.t >= warm.t);
  const warnings = samples.flatMap((s) => s.warnings);
  return {
    samples: samples.length,
    seconds: Math.round(last.t),
    exitedEarly: p.exit && p.exit.sig !== 'SIGTERM' && p.exit.code !== 0 ? p.exit : null,
    rssMB: {
      first: Math.round((samples[0].rss / MB) * 10) / 10,
      afterWarmup: Math.round((warm.rss / MB) * 10) / 10,
      end: Math.round((last.rss / MB) * 10) / 10,
      max: Math.round((Math.max(...samples.map((s) => s.rss)) / MB) * 10) / 10,
      growthPctAfterWarmup: pct(warm.rss, last.rss),
      slopeMBPerHour: Math.round((slopePerHour(after.map((s) => ({ t: s.t, y: s.rss / MB }))) ?? 0) * 10) / 10,
    },
    heapMB: {
      afterWarmup: Math.round((warm.heapUsed / MB) * 10) / 10,
      end: Math.round((last.heapUsed / MB) * 10) / 10,
    },
    abortListeners: {
      afterWarmup: warm.abortListeners,
      end: last.abortListeners,
      max: Math.max(...samples.map((s) => s.abortListeners)),
      addedInTotal: last.abortListenersAdded,
    },
    activeResources: { afterWarmup: warm.activeResources, end: last.activeResources },
    warnings: [...new Set(warnings)].slice(0, 20),
    warningCount: warnings.length,
    series: samples
      .filter((_, i) => i % 6 === 0 || i === samples.length - 1)
      .map((s) => ({
        t: Math.round(s.t),
        rssMB: Math.round((s.rss / MB) * 10) / 10,
        abortListeners: s.abortListeners,
      })),
    stdoutLines: p.stdoutLines,
    stderrTail: p.stderr.slice(-600),
  };
}
const result = {
  bench: 'soak: exporter scraped once a second, and watch, side by side',
  date: new Date().toISOString(),
  node: process.version,
  minutes: MINUTES,
  cacheSeconds: Number(CACHE),
  dockerHost: process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock',
  sides: Object.fromEntries(
    sides.map((s) => [
      s.name,
      {
        top: s.top,
        scrapes: {
          total: s.scrapes.length,
          ok: s.scrapes.filter((x) => x.status === 200).length,
          failed: s.scrapes.filter((x) => x.status !== 200).length,
          failures: Object.entries(
            s.scrapes
              .filter((x) => x.status !== 200)
              .reduce(
                (a, x) => ({ ...a, [x.error ?? `HTTP ${x.status}`]: (a[x.error ?? `HTTP ${x.status}`] ?? 0) + 1 }),
                {},
              ),
          ).map(([why, n]) => `${n}× ${why}`),
          p50ms: quantile(
            s.scrapes.map((x) => x.ms),
            0.5,
          ),
          p99ms: quantile(
            s.scrapes.map((x) => x.ms),
            0.99,
          ),
        },
        exporter: summarize(s.exporter),
        watch: summarize(s.watch),
      },
    ]),
  ),
};
mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
writeFileSync(join(ROOT, 'bench/results/soak.json'), `${JSON.stringify(result, null, 2)}\n`);
rmSync(tmp, { recursive: true, force: true });
for (const [name, s] of Object.entries(result.sides))
  for (const k of ['exporter', 'watch']) {
    const x = s[k];
    if (!x.rssMB) {
      console.log(`${name} ${k}: no samples (${JSON.stringify(x.exit)})`);
      continue;
    }
    console.log(
      `${name} ${k}: RSS ${x.rssMB.afterWarmup} → ${x.rssMB.end} MB (${x.rssMB.growthPctAfterWarmup}%, ${x.rssMB.slopeMBPerHour} MB/h), abort listeners ${x.abortListeners.afterWarmup} → ${x.abortListeners.end} (max ${x.abortListeners.max}), warnings ${x.warningCount}${x.warnings.length ? `: ${x.warnings[0]}` : ''}`,
    );
  }
for (const [name, s] of Object.entries(result.sides))
  console.log(
    `${name} scrapes: ${s.scrapes.ok}/${s.scrapes.total} ok, p50 ${s.scrapes.p50ms} ms, p99 ${s.scrapes.p99ms} ms`,
  );
console.log('bench/results/soak.json');
