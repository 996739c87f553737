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
