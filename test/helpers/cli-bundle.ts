// The CLI bundled from the current sources into a private temporary file, for tests that spawn it:
// dist/ is rebuilt by other test files running at the same time, so spawning it could race.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export async function bundleCli(): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'pd-cli-')), 'cli.mjs');
  await build({
    entryPoints: [join(ROOT, 'src/cli/main.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'error',
    banner: { js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);" },
  });
  return out;
}
