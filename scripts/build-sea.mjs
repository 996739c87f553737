// The single executable (Node 20's single-executable applications, nodejs.org/api/single-executable-applications.html):
// the CLI bundled into one CommonJS file (Node 20's SEA runs one CommonJS script and can require only
// built-ins), turned into a blob by `node --experimental-sea-config`, injected with postject into a copy of
// the node binary running this script. Output: dist/sea/portdoctor (or --out FILE).
// Usage: node scripts/build-sea.mjs [--out FILE] [--no-strip]
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const out = resolve(outIdx >= 0 ? args[outIdx + 1] : 'dist/sea/portdoctor');
const work = join(dirname(out), '.sea-work');
// the fuse Node's SEA loader looks for (the same string in every Node 20 binary)
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

if (Number(process.versions.node.split('.')[0]) < 20) {
  console.error(`build-sea: Node 20 or newer is needed to build the single executable; this is ${process.version}`);
  process.exit(2);
}
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const script = join(work, 'portdoctor.cjs');
await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: script,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  logLevel: 'warning',
  minifyWhitespace: true,
  minifySyntax: true,
});

const config = join(work, 'sea-config.json');
const blob = join(work, 'portdoctor.blob');
writeFileSync(config, JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true }));
execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'] });

const bin = join(work, 'portdoctor');
copyFileSync(process.execPath, bin);
chmodSync(bin, 0o755);
// Debian's and NodeSource's node carry debug info (about half of a 99 MB binary); drop it before the
// blob goes in (stripping after injection would cut the injected note).
if (!args.includes('--no-strip')) {
  try {
    execFileSync('strip', ['--strip-debug', bin], { stdio: 'ignore' });
  } catch {
    // no binutils: the executable is just bigger
  }
}
execFileSync(
  process.execPath,
  [
    resolve(dirname(new URL(import.meta.url).pathname), '../node_modules/postject/dist/cli.js'),
    bin,
    'NODE_SEA_BLOB',
    blob,
    '--sentinel-fuse',
    FUSE,
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
mkdirSync(dirname(out), { recursive: true });
rmSync(out, { force: true });
copyFileSync(bin, out);
chmodSync(out, 0o755);
rmSync(work, { recursive: true, force: true });
console.error(`build-sea: ${out} (${(statSync(out).size / 1e6).toFixed(1)} MB)`);
