// Bundle the CLI into one ESM file: one file to load keeps cold start near `node -e 0`.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  logLevel: 'warning',
  // less to parse at every start; names are kept so stack traces stay readable
  minifyWhitespace: true,
  minifySyntax: true,
  // commander and yaml are CommonJS-free ESM-compatible; bundle them too so nothing resolves at start
  banner: {
    js: "import { createRequire as __pdCreateRequire } from 'node:module'; const require = __pdCreateRequire(import.meta.url);",
  },
};

await build({
  ...common,
  entryPoints: { cli: 'src/cli/main.ts', index: 'src/index.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});

// diagnose, the command an incident runs, as one CommonJS file with a V8 code cache made here: Node 20
// has no module.enableCompileCache (22+), and compiling its ~250 KB over 30 ES modules was ~20 ms of
// every run (bench/results). src/cli/fast-load.ts uses it when the node running is the one that made it.
await build({
  ...common,
  format: 'cjs',
  banner: {},
  entryPoints: { diagnose: 'src/cli/commands/diagnose.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  sourcemap: false,
});
const { execFileSync } = await import('node:child_process');
execFileSync(process.execPath, ['scripts/code-cache.mjs', 'dist/diagnose.cjs'], { stdio: 'inherit' });
