// Copy the latest benchmark tables from bench/results into the README between their markers: one
// table per engine (bench/results/busy-host-<engine>.md, idle-host-<engine>.md), newest engine last.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

let readme = readFileSync('README.md', 'utf8');
const files = readdirSync('bench/results');
for (const tag of ['busy', 'idle']) {
  const mine = files
    .filter((f) => new RegExp(`^${tag}-host-\\d+\\.\\d+\\.md$`).test(f))
    .sort((a, b) => parseFloat(a.split('-')[2]) - parseFloat(b.split('-')[2]));
  if (!mine.length) continue;
  const table = mine.map((f) => readFileSync(`bench/results/${f}`, 'utf8').trim()).join('\n\n');
  readme = readme.replace(
    new RegExp(`<!-- bench:${tag} -->[\\s\\S]*?<!-- /bench:${tag} -->`),
    `<!-- bench:${tag} -->\n${table}\n<!-- /bench:${tag} -->`,
  );
}
writeFileSync('README.md', readme);
