// dist/ is built once, before any unit test file runs (test/helpers/build-once.ts): a test file that
// rebuilt it in its own hooks did so under the files running beside it and broke them (a CI run failed so).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const UNIT = new URL('./', import.meta.url).pathname;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('dist/ in the unit project', () => {
  it('no unit test file runs the build itself', () => {
    const building = files(UNIT).filter(
      (f) => !f.endsWith('build-once.test.ts') && /scripts\/build(-sea)?\.mjs/.test(readFileSync(f, 'utf8')),
    );
    expect(files(UNIT).length).toBeGreaterThan(50);
    expect(building).toEqual([]);
  });
});
