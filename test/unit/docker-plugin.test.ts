// The Docker CLI plugin, through the real docker CLI of this machine: `docker portdoctor …` from a
// cli-plugins directory (DOCKER_CONFIG's, or ~/.docker's). Offline: the docker CLI runs a plugin without a daemon.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { saveSnapshot } from '../../src/snapshot/io.js';
import { VERSION } from '../../src/version.js';
import { BIN } from '../helpers/cli.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';

const hasDocker = spawnSync('docker', ['--version'], { encoding: 'utf8' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'pdplugin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pluginDir(base: string): string {
  mkdirSync(join(base, 'cli-plugins'), { recursive: true });
  symlinkSync(BIN, join(base, 'cli-plugins', 'docker-portdoctor'));
  return base;
}
const cfg = pluginDir(join(dir, 'docker-config'));
const docker = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync('docker', args, {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, DOCKER_CONFIG: cfg, DOCKER_HOST: '', DOCKER_CONTEXT: '', NO_COLOR: '1', ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const engineError = (out: string): string =>
  (JSON.parse(out) as { collectionErrors: Array<{ fact: string; message: string }> }).collectionErrors.find(
    (e) => e.fact === 'engine',
  )?.message ?? '';

describe.skipIf(!hasDocker)('docker portdoctor (the real docker CLI)', () => {
  it('is listed as a valid plugin with its metadata', () => {
    const r = docker(['info', '--format', '{{json .ClientInfo.Plugins}}']);
    const mine = (JSON.parse(r.out) as Array<Record<string, string>>).find((p) => p.Name === 'portdoctor');
    expect(mine).toMatchObject({ SchemaVersion: '0.1.0', Vendor: 'portdoctor', Version: VERSION });
    expect(mine?.Err).toBeUndefined();
    expect(docker(['--help']).out).toMatch(/portdoctor\*\s+Who really holds a host port/);
  });
  it('runs commands with their output and exit codes', () => {
    expect(docker(['portdoctor', '--version'])).toMatchObject({ code: 0, out: `${VERSION}\n` });
    const snap = join(dir, 'other-container.json');
    saveSnapshot(snap, snapshotFromCapture('other-container'));
    const d = docker(['portdoctor', 'diagnose', '18201', '--from', snap, '--json']);
    expect(d.code).toBe(1);
    expect(JSON.parse(d.out).verdict.cause).toBe('container');
    expect(docker(['portdoctor', 'explain', 'all good']).code).toBe(3);
    expect(docker(['portdoctor', 'diagnose', '70000']).code).toBe(2);
  });
  it('docker portdoctor diagnose asks the daemon docker -H / --context chose', () => {
    const sock = join(dir, 'no-daemon.sock');
    const h = docker(['-H', `unix://${sock}`, 'portdoctor', 'diagnose', '29990', '--json']);
    expect(h.code).toBe(3);
    expect(engineError(h.out)).toContain(sock);
    const meta = join(cfg, 'contexts', 'meta', createHash('sha256').update('lab').digest('hex'));
    mkdirSync(meta, { recursive: true });
    writeFileSync(
      join(meta, 'meta.json'),
      JSON.stringify({ Name: 'lab', Metadata: {}, Endpoints: { docker: { Host: `unix://${sock}.ctx` } } }),
    );
    const c = docker(['--context', 'lab', 'portdoctor', 'diagnose', '29990', '--json']);
    expect(engineError(c.out)).toContain(`${sock}.ctx (docker context lab)`);
  });
  it('works from ~/.docker/cli-plugins too', () => {
    const home = join(dir, 'home');
    pluginDir(join(home, '.docker'));
    const r = docker(['portdoctor', '--version'], { DOCKER_CONFIG: '', HOME: home });
    expect(r).toMatchObject({ code: 0, out: `${VERSION}\n` });
  });
});
