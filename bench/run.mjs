// npm run bench: portdoctor measured side by side with the runbook's manual quick checks, in the
// same run, alternating, several repetitions; min and median wall time, peak RSS, and the ratio.
// Writes bench/results/<name>.json and prints a table. `--busy` adds the busy-host set-up.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const args = process.argv.slice(2);
const REPS = Number(args.find((a) => a.startsWith('--reps='))?.slice(7) ?? 15);
const PORT = Number(args.find((a) => a.startsWith('--port='))?.slice(7) ?? 20999);
const env = { ...process.env };

/** wall ms and peak RSS (KB) of one run, via GNU time */
function measure(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { encoding: 'utf8', env, maxBuffer: 512 * 1024 * 1024 });
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
  for (let i = 0; i < 2; i++) for (const c of cases) measure(c.argv); // warm caches equally
  for (let i = 0; i < reps; i++) {
    for (const c of i % 2 ? [...cases].reverse() : cases) {
      const m = measure(c.argv);
      res[c.name].ms.push(m.ms);
      res[c.name].rss.push(m.rss);
      res[c.name].codes.add(m.code);
    }
  }
  return Object.fromEntries(Object.entries(res).map(([k, v]) => [k, { wall_ms: stats(v.ms), peak_rss_kb: Math.max(...v.rss), exit_codes: [...v.codes] }]));
}

function machine() {
  const node = spawnSync('node', ['--version'], { encoding: 'utf8' }).stdout.trim();
  const docker = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).stdout.trim();
  let kernel = '';
  try { kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(); } catch { /* */ }
  return { cpus: cpus().length, cpu: cpus()[0]?.model, mem_gb: Math.round(totalmem() / 2 ** 30), kernel, node, docker };
}

function table(title, r, baseline) {
  const rows = [`${title}`, `| command | min ms | median ms | peak RSS MB | median / ${baseline} |`, '|---|---:|---:|---:|---:|'];
  const base = r[baseline].wall_ms.median;
  for (const [k, v] of Object.entries(r)) rows.push(`| ${k} | ${v.wall_ms.min} | ${v.wall_ms.median} | ${(v.peak_rss_kb / 1024).toFixed(1)} | ${(v.wall_ms.median / base).toFixed(2)}× |`);
  return rows.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const bin = join(ROOT, 'bin/portdoctor');
  const idle = compare([
    { name: 'quick-check script', argv: ['bash', join(ROOT, 'bench/quick-check.sh'), String(PORT)] },
    { name: `portdoctor diagnose ${PORT}`, argv: [bin, 'diagnose', String(PORT), '--json'] },
    { name: 'portdoctor --version (cold start)', argv: [bin, '--version'] },
    { name: 'node -e 0', argv: ['node', '-e', '0'] },
    { name: `lsof -i :${PORT}`, argv: ['lsof', '-i', `:${PORT}`] },
    { name: 'ss -tlnp', argv: ['ss', '-tlnp'] },
  ]);
  const out = { when: new Date().toISOString(), machine: machine(), reps: REPS, idle_host: idle };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/idle-host.json'), `${JSON.stringify(out, null, 2)}\n`);
  const t = table(`Idle host (${out.machine.cpus} × ${out.machine.cpu}, ${REPS} reps, alternating)`, idle, 'quick-check script');
  writeFileSync(join(ROOT, 'bench/results/idle-host.md'), `${t}\n`);
  console.log(t);
}
