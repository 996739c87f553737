// npm run bench: portdoctor measured side by side with the runbook's manual quick checks, in the
// same run, alternating, several repetitions; min and median wall time, peak RSS, and the ratio.
// Writes bench/results/<name>.json and prints a table. `--busy` adds the busy-host set-up.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync, readFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const REPS = Number(args.find((a) => a.startsWith('--reps='))?.slice(7) ?? 15);
const PORT = Number(args.find((a) => a.startsWith('--port='))?.slice(7) ?? 20999);
const env = { ...process.env };
// --baseline=DIR: a built checkout of the code before a change, measured side by side in the same run
const BASE = args.find((a) => a.startsWith('--baseline='))?.slice(11) ?? null;
const SKIP = new Set((args.find((a) => a.startsWith('--skip='))?.slice(7) ?? '').split(',').filter(Boolean));

/** wall ms and peak RSS (KB) of one run, via GNU time */
function measure(argv, input) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], {
    encoding: 'utf8',
    env,
    input,
    maxBuffer: 512 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const rss = Number((r.stderr.trim().split('\n').pop() ?? '0').trim());
  return { ms, rss, code: r.status };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: +s[0].toFixed(1), median: +s[Math.floor(s.length / 2)].toFixed(1), max: +s[s.length - 1].toFixed(1) };
};

export function compare(cases, reps = REPS) {
  const res = Object.fromEntries(cases.map((c) => [c.name, { ms: [], rss: [], codes: new Set() }]));
  for (let i = 0; i < 2; i++) for (const c of cases) measure(c.argv, c.input); // warm caches equally
  for (let i = 0; i < reps; i++) {
    for (const c of i % 2 ? [...cases].reverse() : cases) {
      const m = measure(c.argv, c.input);
      res[c.name].ms.push(m.ms);
      res[c.name].rss.push(m.rss);
      res[c.name].codes.add(m.code);
    }
  }
  return Object.fromEntries(
    Object.entries(res).map(([k, v]) => [
      k,
      { wall_ms: stats(v.ms), peak_rss_kb: Math.max(...v.rss), exit_codes: [...v.codes] },
    ]),
  );
}

function machine() {
  const node = spawnSync('node', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const docker = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], {
    encoding: 'utf8',
  }).stdout.trim();
  let kernel = '';
  try {
    kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  } catch {
    /* */
  }
  return { cpus: cpus().length, cpu: cpus()[0]?.model, mem_gb: Math.round(totalmem() / 2 ** 30), kernel, node, docker };
}

function table(title, r, baseline) {
  const rows = [
    `${title}`,
    `| command | min ms | median ms | peak RSS MB | median / ${baseline} |`,
    '|---|---:|---:|---:|---:|',
  ];
  const base = r[baseline].wall_ms.median;
  for (const [k, v] of Object.entries(r))
    rows.push(
      `| ${k} | ${v.wall_ms.min} | ${v.wall_ms.median} | ${(v.peak_rss_kb / 1024).toFixed(1)} | ${(v.wall_ms.median / base).toFixed(2)}× |`,
    );
  return rows.join('\n');
}

/** 200 services in 20 compose files, for the lint benchmark */
function lintFixture() {
  const dir = mkdtempSync(join(tmpdir(), 'pd-bench-lint-'));
  const files = [];
  for (let f = 0; f < 20; f++) {
    const lines = ['services:'];
    for (let s = 0; s < 10; s++) {
      const n = f * 10 + s;
      lines.push(
        `  svc${n}:`,
        '    image: example/app:1',
        '    ports:',
        `      - "127.0.0.1:${21000 + n}:80"`,
        `      - "${22000 + n}"`,
        `      - target: 443`,
        `        published: "${23000 + n}"`,
        '        host_ip: 0.0.0.0',
      );
    }
    const p = join(dir, `compose-${f}.yaml`);
    writeFileSync(p, `${lines.join('\n')}\n`);
    files.push(p);
  }
  return files;
}

function profileTop(argv, out, keep) {
  const dir = mkdtempSync(join(tmpdir(), 'pd-prof-'));
  spawnSync('node', ['--cpu-prof', `--cpu-prof-dir=${dir}`, ...argv], {
    env: { ...env, NODE_EXTRA_CA_CERTS: '' },
    stdio: 'ignore',
  });
  const f = readdirSync(dir).find((x) => x.endsWith('.cpuprofile'));
  const p = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  if (keep) writeFileSync(keep, JSON.stringify(p)); // the whole profile, for chrome://inspect or speedscope
  const self = new Map();
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  p.samples.forEach((s, i) => {
    const n = byId.get(s);
    const k = `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
    self.set(k, (self.get(k) ?? 0) + (p.timeDeltas[i] ?? 0));
  });
  const rows = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([k, v]) => `${(v / 1000).toFixed(1).padStart(7)} ms  ${k}`);
  writeFileSync(
    out,
    `# self time, ${argv.join(' ')} (node --cpu-prof), total ${((p.endTime - p.startTime) / 1000).toFixed(0)} ms\n${rows.join('\n')}\n`,
  );
}

async function exporterCase(bin, scale, offset = 0) {
  const port = 29460 + scale + offset;
  const child = spawn(bin, ['exporter', '--listen', `127.0.0.1:${port}`, '--cache-seconds', '10', '--no-events'], {
    stdio: 'ignore',
    env: { ...env, PORTDOCTOR_TEST: '1' },
  });
  const get = async () => {
    const t0 = performance.now();
    const r = await fetch(`http://127.0.0.1:${port}/metrics`);
    const body = await r.text();
    return { ms: performance.now() - t0, body };
  };
  try {
    for (let i = 0; i < 100; i++) {
      try {
        await get();
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const first = await get(); // waits for the first collection
    const warm = [];
    for (let i = 0; i < 15; i++) warm.push((await get()).ms);
    const collect = Number(/^portdoctor_collect_duration_seconds (\S+)/m.exec(first.body)?.[1] ?? NaN) * 1000;
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
    return {
      scrape_ms: stats(warm),
      first_scrape_ms: +first.ms.toFixed(1),
      collection_ms: +collect.toFixed(1),
      peak_rss_kb: hwm,
    };
  } finally {
    child.kill('SIGTERM');
  }
}

/** '20.10' / '28.5': which engine a result file is for */
function engineTag(m) {
  return /^(\d+\.\d+)/.exec(m.docker)?.[1] ?? 'unknown';
}

async function busy(scales) {
  const bin = join(ROOT, 'bin/portdoctor');
  const { up, down } = await import('./busy-host.mjs');
  const files = lintFixture();
  const out = { when: new Date().toISOString(), machine: machine(), scales: {} };
  for (const k of scales) {
    down();
    process.stderr.write(`[bench] busy host ×${k}: setting up\n`);
    await up(k);
    try {
      const P = 20100;
      const reps = Math.max(5, Math.round(REPS / k));
      const base = BASE ? join(BASE, 'bin/portdoctor') : null;
      const r = compare(
        [
          { name: 'quick-check script', argv: ['bash', join(ROOT, 'bench/quick-check.sh'), String(P)] },
          { name: `portdoctor diagnose ${P}`, argv: [bin, 'diagnose', String(P), '--json'] },
          ...(base
            ? [{ name: `before: portdoctor diagnose ${P}`, argv: [base, 'diagnose', String(P), '--json'] }]
            : []),
          { name: 'portdoctor ports', argv: [bin, 'ports', '--json'] },
          ...(base ? [{ name: 'before: portdoctor ports', argv: [base, 'ports', '--json'] }] : []),
          ...(SKIP.has('lint')
            ? []
            : [
                { name: 'portdoctor lint (200 services, 20 files)', argv: [bin, 'lint', '--format', 'json', ...files] },
              ]),
          ...(SKIP.has('lsof') ? [] : [{ name: `lsof -i :${P}`, argv: ['lsof', '-i', `:${P}`] }]),
          { name: 'ss -tlnp', argv: ['ss', '-tlnp'] },
        ],
        reps,
      );
      r['exporter'] = await exporterCase(bin, k);
      if (base) r['before: exporter'] = await exporterCase(base, k, 20);
      out.scales[`x${k}`] = r;
      // the slowest case of the run (the largest scale): a CPU profile of diagnose, summary and whole
      if (k === scales[scales.length - 1])
        profileTop(
          [join(ROOT, 'dist/cli.js'), 'diagnose', String(P), '--json'],
          join(ROOT, `bench/results/profile-diagnose-busy-x${k}-${engineTag(out.machine)}.txt`),
          join(ROOT, `bench/results/profile-diagnose-busy-x${k}-${engineTag(out.machine)}.cpuprofile`),
        );
    } finally {
      down();
    }
  }
  const tag = engineTag(out.machine);
  const jsonFile = join(ROOT, `bench/results/busy-host-${tag}.json`);
  // --merge: scales run in separate invocations (the live lock is released between them) make one table
  if (args.includes('--merge')) {
    try {
      const prev = JSON.parse(readFileSync(jsonFile, 'utf8'));
      out.scales = { ...prev.scales, ...out.scales };
      out.runs = [...(prev.runs ?? [prev.when]), out.when];
    } catch {
      /* first part */
    }
  }
  scales = Object.keys(out.scales)
    .map((x) => Number(x.slice(1)))
    .sort((a, b) => a - b);
  const first = out.scales[`x${scales[0]}`];
  const last = out.scales[`x${scales[scales.length - 1]}`];
  out.growth = {};
  for (const k of Object.keys(first)) {
    if (!last[k]) continue;
    const a = k.endsWith('exporter') ? first[k].collection_ms : first[k].wall_ms.median;
    const b = k.endsWith('exporter') ? last[k].collection_ms : last[k].wall_ms.median;
    out.growth[k] = +(b / a).toFixed(2);
    const ra = first[k].peak_rss_kb;
    const rb = last[k].peak_rss_kb;
    out.rss_growth = { ...out.rss_growth, [k]: +(rb / ra).toFixed(2) };
  }
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(jsonFile, `${JSON.stringify(out, null, 2)}\n`);
  const ss = (s) => out.scales[`x${s}`]['ss -tlnp']?.wall_ms.median;
  const cell = (s, k) => {
    const v = out.scales[`x${s}`][k];
    if (!v) return '';
    return `${v.wall_ms.median} (${(v.wall_ms.median / ss(s)).toFixed(2)}× ss)`;
  };
  const rows = [
    `Busy host, Docker ${out.machine.docker} (${out.machine.cpus} × ${out.machine.cpu}, ${out.machine.mem_gb} GB, kernel ${out.machine.kernel}, ${out.machine.node}); ×1 = 5,000 TCP + 1,000 UDP sockets over 200 processes, 100 published containers, 2,000 DNAT rules (2,000-line DOCKER chain incl. legacy and nft); "before:" is ${BASE ? 'the code before this change' : 'absent'}, run side by side`,
    '',
    `| command | ${scales.map((k) => `×${k} median ms`).join(' | ')} | growth ×${scales[0]}→×${scales[scales.length - 1]} | ${scales.map((k) => `×${k} peak RSS MB`).join(' | ')} | RSS growth |`,
    `|---|${scales.map(() => '---:').join('|')}|---:|${scales.map(() => '---:').join('|')}|---:|`,
  ];
  const keys = [...new Set(scales.flatMap((s) => Object.keys(out.scales[`x${s}`])))];
  for (const k of keys.filter((x) => !x.endsWith('exporter'))) {
    rows.push(
      `| ${k} | ${scales.map((s) => cell(s, k)).join(' | ')} | ${out.growth[k] ?? ''}× | ${scales.map((s) => ((out.scales[`x${s}`][k]?.peak_rss_kb ?? 0) / 1024).toFixed(1)).join(' | ')} | ${out.rss_growth?.[k] ?? ''}× |`,
    );
  }
  for (const k of keys.filter((x) => x.endsWith('exporter'))) {
    rows.push(
      `| ${k} collection behind a scrape | ${scales.map((s) => out.scales[`x${s}`][k]?.collection_ms ?? '').join(' | ')} | ${out.growth[k] ?? ''}× | ${scales.map((s) => ((out.scales[`x${s}`][k]?.peak_rss_kb ?? 0) / 1024).toFixed(1)).join(' | ')} | ${out.rss_growth?.[k] ?? ''}× |`,
    );
  }
  rows.push(
    '',
    `Host size ×${scales[0]}→×${scales[scales.length - 1]}: ${scales[scales.length - 1] / scales[0]}×. Runs: ${(out.runs ?? [out.when]).join(', ')}.`,
  );
  writeFileSync(join(ROOT, `bench/results/busy-host-${tag}.md`), `${rows.join('\n')}\n`);
  console.log(rows.join('\n'));
}

if (import.meta.url === `file://${process.argv[1]}` && args.includes('--busy')) {
  const scales = (args.find((a) => a.startsWith('--scales='))?.slice(9) ?? '1,4,8').split(',').map(Number);
  await busy(scales);
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const bin = join(ROOT, 'bin/portdoctor');
  const corpus = JSON.parse(readFileSync(join(ROOT, 'test/fixtures/corpus/docker-error-messages.json'), 'utf8'));
  const idle = compare([
    { name: 'quick-check script', argv: ['bash', join(ROOT, 'bench/quick-check.sh'), String(PORT)] },
    { name: `portdoctor diagnose ${PORT}`, argv: [bin, 'diagnose', String(PORT), '--json'] },
    ...(BASE
      ? [
          {
            name: `before: portdoctor diagnose ${PORT}`,
            argv: [join(BASE, 'bin/portdoctor'), 'diagnose', String(PORT), '--json'],
          },
        ]
      : []),
    { name: 'portdoctor --version (cold start)', argv: [bin, '--version'] },
    ...(BASE
      ? [{ name: 'before: portdoctor --version (cold start)', argv: [join(BASE, 'bin/portdoctor'), '--version'] }]
      : []),
    { name: 'node -e 0', argv: ['node', '-e', '0'] },
    // every message of the error corpus in one log: one explanation each
    {
      name: `portdoctor explain - (whole corpus, ${corpus.length} messages)`,
      argv: [bin, 'explain', '--json', '-'],
      input: corpus.map((e) => e.message).join('\n\n'),
    },
    { name: 'portdoctor lint (200 services, 20 files)', argv: [bin, 'lint', '--format', 'json', ...lintFixture()] },
    { name: `lsof -i :${PORT}`, argv: ['lsof', '-i', `:${PORT}`] },
    { name: 'ss -tlnp', argv: ['ss', '-tlnp'] },
  ]);
  const out = { when: new Date().toISOString(), machine: machine(), reps: REPS, idle_host: idle };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const tag = engineTag(out.machine);
  writeFileSync(join(ROOT, `bench/results/idle-host-${tag}.json`), `${JSON.stringify(out, null, 2)}\n`);
  const t = table(
    `Idle host, Docker ${out.machine.docker} (${out.machine.cpus} × ${out.machine.cpu}, kernel ${out.machine.kernel}, ${out.machine.node}, ${REPS} reps, alternating; "before:" is ${BASE ? 'the code before this change' : 'absent'})`,
    idle,
    'quick-check script',
  );
  writeFileSync(join(ROOT, `bench/results/idle-host-${tag}.md`), `${t}\n`);
  console.log(t);
}
