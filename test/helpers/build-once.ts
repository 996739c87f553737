// vitest globalSetup of the unit project: build dist/ once before any test file runs. Test files that
// spawn bin/portdoctor run in parallel; one of them rebuilding (rm -rf dist) under the others broke them.
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  const b = spawnSync('node', ['scripts/build.mjs'], {
    cwd: new URL('../../', import.meta.url).pathname,
    encoding: 'utf8',
  });
  if (b.status !== 0) throw new Error(`build failed: ${b.stderr}`);
}
