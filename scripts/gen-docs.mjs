// The pages in docs/rules/ and docs/causes/, rendered from the registries by src/docs/pages.ts.
//   node scripts/gen-docs.mjs          write them (and remove pages of rules that no longer exist)
//   node scripts/gen-docs.mjs --check  exit 1 if a page is missing, stale or left over
import { build } from 'esbuild';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = new URL('..', import.meta.url).pathname;
const DOCS = join(ROOT, 'docs');
const DIRS = ['rules', 'causes'];

// src/ is TypeScript: bundle the one module (it is pure) and load it
const tmp = mkdtempSync(join(tmpdir(), 'pd-gen-docs-'));
const out = join(tmp, 'pages.mjs');
try {
  await build({
    entryPoints: [join(ROOT, 'src/docs/pages.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: out,
    logLevel: 'warning',
  });
  const { docPages } = await import(pathToFileURL(out).href);
  const pages = docPages();
  const present = DIRS.flatMap((d) =>
    existsSync(join(DOCS, d)) ? readdirSync(join(DOCS, d)).map((f) => `${d}/${f}`) : [],
  );
  const extra = present.filter((p) => !pages.has(p));
  if (process.argv.includes('--check')) {
    const stale = [...pages].filter(
      ([p, t]) => !existsSync(join(DOCS, p)) || readFileSync(join(DOCS, p), 'utf8') !== t,
    );
    if (stale.length || extra.length) {
      process.stderr.write(
        `docs/ is not current (${[...stale.map(([p]) => p), ...extra.map((p) => `${p} (no rule or cause)`)].join(', ')}): run npm run gen:docs\n`,
      );
      process.exitCode = 1;
    } else process.stdout.write(`docs/: ${pages.size} pages current\n`);
  } else {
    for (const p of extra) rmSync(join(DOCS, p));
    for (const [p, t] of pages) {
      mkdirSync(dirname(join(DOCS, p)), { recursive: true });
      writeFileSync(join(DOCS, p), t);
    }
    process.stdout.write(`docs/: wrote ${pages.size} pages\n`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
