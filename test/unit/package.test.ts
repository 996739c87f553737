// The npm package as users install it: from the tarball, offline, in a global prefix and inside a
// project. The installed copy needs no install step, and running it never touches anyone's node_modules.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveSnapshot } from '../../src/snapshot/io.js';
import { VERSION } from '../../src/version.js';
import { checkCliOutput } from '../helpers/json-schema.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';
import { offlineNpmEnv, packRelease, ROOT } from '../helpers/pack.js';

let dir = '';
let tgz = '';
beforeAll(() => {
  ({ dir, tgz } = packRelease());
}, 180_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const listTree = (top: string): string[] => {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const s = statSync(p, { throwIfNoEntry: false });
      out.push(`${relative(top, p)} ${s?.size ?? '-'} ${s?.mtimeMs ?? '-'}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(top);
  return out.sort();
};

const run = (bin: string, args: string[], cwd: string) => {
  const r = spawnSync(bin, args, {
    cwd,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...offlineNpmEnv(dir), NO_COLOR: '1' },
  });
  checkCliOutput(args, r.stdout);
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('npm package', () => {
  it('ships the built bundle and needs no runtime dependency', () => {
    const list = execFileSync('tar', ['tzf', tgz], { encoding: 'utf8' }).split('\n');
    expect(list).toContain('package/bin/portdoctor');
    expect(list).toContain('package/dist/cli.js');
    expect(list).toContain('package/dist/index.js');
    expect(list).toContain('package/dist/types/index.d.ts');
    // the JSON Schemas of every --json output, and the rule/cause pages SARIF's helpUri points to
    expect(list).toContain('package/schemas/diagnose.schema.json');
    expect(list).toContain('package/LICENSE');
    expect(list.some((f) => f.startsWith('package/src/') || f.startsWith('package/test/'))).toBe(false);
    const pkg = JSON.parse(execFileSync('tar', ['xzOf', tgz, 'package/package.json'], { encoding: 'utf8' }));
    expect(pkg.version).toBe(VERSION);
    // esbuild bundles every runtime library into dist/: nothing to resolve or install
    expect(pkg.dependencies ?? {}).toEqual({});
    const cli = execFileSync('tar', ['xzOf', tgz, 'package/dist/cli.js'], { encoding: 'utf8' });
    for (const m of cli.matchAll(/(?:from|import\()\s*"([^"]+)"/g)) expect(m[1]).toMatch(/^(node:|\.\/)/);
  });

  it('installed globally into a prefix, offline, runs from another directory', () => {
    const prefix = join(dir, 'prefix');
    execFileSync('npm', ['install', '-g', '--prefix', prefix, tgz], { env: offlineNpmEnv(dir), stdio: 'pipe' });
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const bin = join(prefix, 'bin', 'portdoctor');
    const before = listTree(join(prefix, 'lib', 'node_modules'));
    const v = run(bin, ['--version'], elsewhere);
    expect(v).toMatchObject({ code: 0, out: `${VERSION}\n` });
    const e = run(
      bin,
      ['explain', 'Error starting userland proxy: listen tcp4 0.0.0.0:8080: bind: address already in use', '--json'],
      elsewhere,
    );
    expect(e.err).toBe('');
    expect(JSON.parse(e.out)).toMatchObject({ stage: 'userland-proxy', subject: { ip: '0.0.0.0', port: 8080 } });
    const snap = join(dir, 'other-container.json');
    saveSnapshot(snap, snapshotFromCapture('other-container'));
    const d = run(bin, ['diagnose', '18201', '--from', snap, '--json'], elsewhere);
    expect(d.err).toBe('');
    expect(JSON.parse(d.out).verdict.cause).toBe('container');
    // running it installed nothing and built nothing
    expect(listTree(join(prefix, 'lib', 'node_modules'))).toEqual(before);
    expect(readdirSync(elsewhere)).toEqual([]);
  }, 120_000);

  it("installed into a project, leaves the project's node_modules untouched and runs", () => {
    const proj = join(dir, 'proj');
    mkdirSync(proj);
    writeFileSync(
      join(proj, 'package.json'),
      JSON.stringify({ name: 'someones-app', version: '1.0.0', private: true }),
    );
    execFileSync('npm', ['install', tgz], { cwd: proj, env: offlineNpmEnv(dir), stdio: 'pipe' });
    writeFileSync(join(proj, 'node_modules', 'MARKER'), 'mine');
    const before = listTree(join(proj, 'node_modules'));
    const bin = join(proj, 'node_modules', '.bin', 'portdoctor');
    expect(run(bin, ['--version'], proj)).toMatchObject({ code: 0, out: `${VERSION}\n` });
    const e = run(bin, ['explain', 'Bind for 0.0.0.0:8080 failed: port is already allocated', '--json'], proj);
    expect(JSON.parse(e.out).stage).toBe('port-allocator');
    expect(readFileSync(join(proj, 'node_modules', 'MARKER'), 'utf8')).toBe('mine');
    expect(listTree(join(proj, 'node_modules'))).toEqual(before);
  }, 120_000);

  it('the version in code is the package version', () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version).toBe(VERSION);
  });
});
