// Is explain linear on hostile pastes? RT-07's shape (a line "Error starting userland proxy:" plus
// 8,100 blanks and "x", repeated) at 1 MB and 4 MB, side by side with a baseline of the same size
// made of real error messages from the corpus, alternating runs. Reports ms per MB and the ratio to
// the baseline; the goal is at most 1 s per MB. Writes bench/results/explain-linear.json.
// Usage: node scripts/build.mjs && node bench/explain-linear.mjs [--reps=5]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const REPS = Number(process.argv.find((a) => a.startsWith('--reps='))?.slice(7) ?? 5);
const MB = 1024 * 1024;

const fill = (unit, bytes) => unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
const corpus = JSON.parse(readFileSync(new URL('../test/fixtures/corpus/docker-error-messages.json', import.meta.url)));
const real = corpus.map((e) => e.message).join('\n\n') + '\n\n';
const spaces = `Error starting userland proxy:${' '.repeat(8100)}x\n`;
const tabs = `Error starting userland proxy:${'\t'.repeat(8100)}x\n`;
const cases = [
  { name: 'baseline: corpus messages, 1 MB', input: fill(real, MB), mb: 1 },
  { name: 'RT-07 spaces, 1 MB', input: fill(spaces, MB), mb: 1 },
  { name: 'RT-07 tabs, 1 MB', input: fill(tabs, MB), mb: 1 },
  { name: 'baseline: corpus messages, 4 MB', input: fill(real, 4 * MB), mb: 4 },
  { name: 'RT-07 spaces, 4 MB', input: fill(spaces, 4 * MB), mb: 4 },
  { name: 'RT-07 tabs, 4 MB', input: fill(tabs, 4 * MB), mb: 4 },
];

function run(input) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [`${ROOT}dist/cli.js`, 'explain', '-', '--json'], {
    input,
    encoding: 'utf8',
    maxBuffer: 256 * MB,
  });
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, code: r.status };
}

const res = Object.fromEntries(cases.map((c) => [c.name, []]));
for (const c of cases) run(c.input); // warm the page cache equally
for (let i = 0; i < REPS; i++) for (const c of i % 2 ? [...cases].reverse() : cases) res[c.name].push(run(c.input).ms);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const out = cases.map((c) => {
  const base = res[cases.find((b) => b.mb === c.mb && b.name.startsWith('baseline')).name];
  return {
    case: c.name,
    medianMs: +median(res[c.name]).toFixed(1),
    msPerMB: +(median(res[c.name]) / c.mb).toFixed(1),
    ratioToBaseline: +(median(res[c.name]) / median(base)).toFixed(2),
  };
});
mkdirSync(new URL('results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('results/explain-linear.json', import.meta.url),
  `${JSON.stringify({ reps: REPS, node: process.version, results: out }, null, 1)}\n`,
);
console.table(out);
const worst = Math.max(...out.map((o) => o.msPerMB));
console.log(`worst ${worst} ms per MB (goal: <= 1000)`);
process.exitCode = worst <= 1000 ? 0 : 1;
