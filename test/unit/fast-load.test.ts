// diagnose from the built bundle: dist/diagnose.cjs (built once for the unit project by
// test/helpers/build-once.ts, never here: a rebuild under the tests running beside it broke them) must
// load with the code cache the build wrote (scripts/code-cache.mjs and src/cli/fast-load.ts must compile
// it the same way, or V8 rejects the cache and every run pays the compile again), and answer as the
// source modules do.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose.js';
import { saveSnapshot } from '../../src/snapshot/io.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(join(ROOT, 'bin/portdoctor'), args, {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: '1', ...env },
  });

describe('diagnose from dist/diagnose.cjs', () => {
  it('uses the build-time code cache, and answers as the source modules do', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'pd-fast-')), 'snap.json');
    saveSnapshot(f, snapshotFromCapture('host-process'));
    const traced = run(['diagnose', '18101', '--json', '--from', f], { PORTDOCTOR_TRACE: '1' });
    expect(traced.stderr).toMatch(/diagnose\.cjs compiled \(code cache used\)/);
    expect(traced.status).toBe(1);
    const d = diagnose(snapshotFromCapture('host-process'), { proto: 'tcp', ip: null, port: 18101 });
    const out = JSON.parse(traced.stdout) as { verdict: unknown; holders: unknown; findings: unknown };
    expect(out.verdict).toEqual(d.verdict);
    expect(out.holders).toEqual(d.holders);
    expect(out.findings).toEqual(d.findings);
  });
});
