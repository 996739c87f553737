// The single executable as a user gets it: built by `npm run build:sea` in a copy of the checkout, moved
// out of it (the copy is then deleted), and run from an empty directory with no node on PATH.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveSnapshot } from '../../src/snapshot/io.js';
import { VERSION } from '../../src/version.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';
import { copyCheckout } from '../helpers/pack.js';

let dir = '';
let exe = '';
let empty = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pdsea-'));
  const src = copyCheckout(join(dir, 'checkout'));
  execFileSync('npm', ['run', '--silent', 'build:sea'], { cwd: src, stdio: ['ignore', 'ignore', 'pipe'] });
  exe = join(dir, 'portdoctor');
  renameSync(join(src, 'dist/sea/portdoctor'), exe);
  rmSync(join(dir, 'checkout'), { recursive: true, force: true });
  empty = join(dir, 'empty');
  mkdirSync(join(empty, 'bin'), { recursive: true });
}, 240_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** No node anywhere on PATH (an empty bin dir), an empty cwd, no environment beyond it. */
const run = (args: string[]) => {
  const r = spawnSync(exe, args, {
    cwd: empty,
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: join(empty, 'bin'), HOME: empty, NO_COLOR: '1', PORTDOCTOR_TEST: '1' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('single executable (npm run build:sea)', () => {
  it('is one ELF file with the blob injected, and the test PATH really has no node', () => {
    expect(readFileSync(exe).subarray(0, 4)).toEqual(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
    expect(readFileSync(exe).includes('NODE_SEA_BLOB')).toBe(true);
    expect(existsSync(join(empty, 'bin', 'node'))).toBe(false);
    expect(spawnSync('sh', ['-c', 'command -v node'], { env: { PATH: join(empty, 'bin') } }).status).not.toBe(0);
  });

  it('portdoctor --version', () => {
    expect(run(['--version'])).toEqual({ code: 0, out: `${VERSION}\n`, err: '' });
  });

  it('explain, with its JSON and exit codes', () => {
    const e = run(['explain', 'Bind for 0.0.0.0:8080 failed: port is already allocated', '--json']);
    expect(e.err).toBe('');
    expect(e.code).toBe(1);
    expect(JSON.parse(e.out)).toMatchObject({ stage: 'port-allocator', subject: { ip: '0.0.0.0', port: 8080 } });
    expect(run(['explain', 'all good']).code).toBe(3);
  });

  it('diagnose --from a recorded snapshot', () => {
    const snap = join(dir, 'other-container.json');
    saveSnapshot(snap, snapshotFromCapture('other-container'));
    const d = run(['diagnose', '18201', '--from', snap, '--json']);
    expect(d.err).toBe('');
    expect(d.code).toBe(1);
    expect(JSON.parse(d.out).verdict.cause).toBe('container');
    const bad = run(['diagnose', '70000']);
    expect(bad.code).toBe(2);
    expect(bad.err).not.toMatch(/\n\s+at /);
  });
});
