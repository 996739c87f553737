// The image as shipped: `npm run build:image` in a copy of the checkout (single executable + a base made
// with docker import, no registry) on the test dockerd; `portdoctor --version` in it; then the exporter
// run the way deploy/compose/portdoctor-exporter.yaml runs it (its network, pid, capabilities, security
// options and mounts, translated to docker run) reads every collector and dockerd's log.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERSION } from '../../src/version.js';
import { copyCheckout } from '../helpers/pack.js';
import { dockerReady, LABEL, portBlock, ROOT, sh } from './helpers.js';

const P = portBlock(84);
const notReady = dockerReady();
const dir = mkdtempSync(join(tmpdir(), 'pdimage-'));
const TAG = `portdoctor-test-image:${process.pid}`;
const BASE = `portdoctor-test-base:${process.pid}`;
const containers: string[] = [];

interface ComposeService {
  command: string[];
  network_mode?: string;
  pid?: string;
  cap_drop?: string[];
  cap_add?: string[];
  security_opt?: string[];
  read_only?: boolean;
  volumes?: string[];
}
const service = (
  parse(readFileSync(join(ROOT, 'deploy/compose/portdoctor-exporter.yaml'), 'utf8')) as {
    services: Record<string, ComposeService>;
  }
).services['portdoctor-exporter'] as ComposeService;

/** docker run options for the compose service; a host path that does not exist is not mounted (docker would create it). */
function composeRunArgs(s: ComposeService): string[] {
  const a: string[] = [];
  if (s.network_mode) a.push('--network', s.network_mode);
  if (s.pid) a.push('--pid', s.pid);
  for (const c of s.cap_drop ?? []) a.push('--cap-drop', c);
  for (const c of s.cap_add ?? []) a.push('--cap-add', c);
  for (const o of s.security_opt ?? []) a.push('--security-opt', o.replace(/^apparmor:/, 'apparmor='));
  if (s.read_only) a.push('--read-only');
  // the test engine may serve another socket than the default the compose file mounts (28.5 does): mount
  // that one at its own path, as a user of such a host would edit the file (dockerd is found by its socket)
  const sock = /^unix:\/\/(.+)$/.exec(process.env.DOCKER_HOST ?? '')?.[1];
  for (const v of s.volumes ?? []) {
    const [from, , ...mode] = v.split(':');
    if (sock && from === '/var/run/docker.sock')
      a.push('-v', [sock, sock, ...mode].join(':'), '-e', `DOCKER_HOST=unix://${sock}`);
    else if (existsSync(from as string)) a.push('-v', v);
  }
  return a;
}

const run = (args: string[]) => sh(['docker', 'run', '--label', LABEL, ...args], { allowFail: true });
const series = (text: string, re: RegExp): string[] => text.split('\n').filter((l) => re.test(l));

describe.skipIf(notReady !== null)(`image (deploy/docker)${notReady ? ` (skipped: ${notReady})` : ''}`, () => {
  beforeAll(() => {
    const src = copyCheckout(join(dir, 'checkout'));
    execFileSync('npm', ['run', '--silent', 'build:image', '--', TAG], {
      cwd: src,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, PORTDOCTOR_BASE_TAG: BASE },
    });
  }, 300_000);
  afterAll(() => {
    for (const id of containers) sh(['docker', 'rm', '-f', id], { allowFail: true });
    sh(['docker', 'rmi', TAG, BASE], { allowFail: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the single executable on the imported base, whose tools run', () => {
    const hist = sh(['docker', 'history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Size}}', TAG]).stdout;
    expect(hist).toMatch(/COPY file:\w+ in \/usr\/bin\/portdoctor/);
    expect(sh(['docker', 'image', 'inspect', '--format', '{{.Comment}}', BASE]).stdout).toContain('portdoctor base');
    const ls = run(['--rm', '--entrypoint', '/usr/sbin/nft', TAG, '--version']);
    expect(ls.stdout).toMatch(/^nftables v/);
  });

  it('portdoctor --version and explain run in it', () => {
    const name = `pdimg-${process.pid}`;
    containers.push(name);
    const v = run(['--name', name, TAG, '--version']);
    expect(v).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    const e = run(['--rm', TAG, 'explain', 'Bind for 0.0.0.0:8080 failed: port is already allocated', '--json']);
    expect(e.code).toBe(1);
    expect(JSON.parse(e.stdout)).toMatchObject({ stage: 'port-allocator' });
  });

  it('as the compose file runs it: every collector reads the host, and dockerd’s log is found', async () => {
    const argv = [...service.command];
    argv[argv.indexOf('--listen') + 1] = `127.0.0.1:${P(1)}`;
    argv[argv.indexOf('--cache-seconds') + 1] = '0';
    const r = run(['-d', ...composeRunArgs(service), TAG, ...argv, '--no-events']);
    expect(r.code, r.stderr).toBe(0);
    const id = r.stdout.trim();
    containers.push(id);
    let text = '';
    const t0 = Date.now();
    while (!/^portdoctor_collections_total [1-9]/m.test(text)) {
      if (Date.now() - t0 > 30_000)
        throw new Error(`no collection in 30 s: ${sh(['docker', 'logs', id], { allowFail: true }).stderr}`);
      await new Promise((res) => setTimeout(res, 300));
      text = await fetch(`http://127.0.0.1:${P(1)}/metrics`, { signal: AbortSignal.timeout(10_000) })
        .then((x) => x.text())
        .catch(() => '');
    }
    // the bind probe, which the exporter never runs, is no collector error either
    const errors = series(text, /^portdoctor_collect_errors\{.*\} 1$/);
    expect(errors).toEqual([]);
    expect(series(text, /^portdoctor_daemon_log_source_info\{.*\} 1$/).join()).toMatch(/source="(file|journald)"/);
    expect(series(text, /^portdoctor_listening_sockets\{owner_kind="unseen"\} /)).toEqual([
      expect.stringMatching(/ [01]$/),
    ]);
  });
});
