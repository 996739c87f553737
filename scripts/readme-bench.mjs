// Copy the latest benchmark tables from bench/results into the README between their markers.
import { readFileSync, writeFileSync } from 'node:fs';

let readme = readFileSync('README.md', 'utf8');
for (const [tag, file] of [
  ['busy', 'bench/results/busy-host.md'],
  ['idle', 'bench/results/idle-host.md'],
]) {
  const table = readFileSync(file, 'utf8').trim();
  readme = readme.replace(
    new RegExp(`<!-- bench:${tag} -->[\\s\\S]*?<!-- /bench:${tag} -->`),
    `<!-- bench:${tag} -->\n${table}\n<!-- /bench:${tag} -->`,
  );
}
writeFileSync('README.md', readme);
