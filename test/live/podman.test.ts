// Debian's Podman 4.3, rootful, live: conmon holds the published port. Seen from the Docker
// daemon's side (a forwarder of another engine) and through Podman's own Docker-compatible API
// socket (the container, named), and a second Podman publish diagnosed from its error.
// Podman reads the test's own containers.conf (CONTAINERS_CONF), never the system's: Debian 12's default
// runtime crun refuses hosts with hybrid cgroups ("cgroups in hybrid mode not supported"), runc does not.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { diagnoseJson, portBlock } from './helpers.js';

const P = portBlock(58);
const IMAGE = 'localhost/portdoctor-test-bb:latest';
const SOCK = '/run/portdoctor-test-podman.sock';
// runc in some VMs refuses podman's default nofile/nproc limits; explicit small ones always work
const LIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];
const notReady =
  spawnSync('sh', ['-c', 'command -v podman']).status !== 0
    ? 'podman not installed (scripts/test-env.sh installs it)'
    : null;
const CONF_DIR = mkdtempSync(join(tmpdir(), 'pd-podman-conf-'));
const CONF = join(CONF_DIR, 'containers.conf');
writeFileSync(
  CONF,
  '# portdoctor live tests only\n[engine]\nruntime = "runc"\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n',
);
const ENV = { ...process.env, CONTAINERS_CONF: CONF, PORTDOCTOR_TEST: '1' };
const pm = (args: string[]) => spawnSync('podman', args, { encoding: 'utf8', timeout: 60_000, env: ENV });
let service: number | null = null;

describe.skipIf(notReady !== null)(`rootful Podman, live${notReady ? ` (skipped: ${notReady})` : ''}`, () => {
  beforeAll(async () => {
    if (pm(['image', 'exists', IMAGE]).status !== 0) {
      const dir = mkdtempSync(join(tmpdir(), 'pd-podman-'));
      spawnSync(
        'sh',
        [
          '-c',
          `mkdir -p ${dir}/bin ${dir}/www && cp /bin/busybox ${dir}/bin/ && echo podman-ok > ${dir}/www/index.html && tar -C ${dir} -c . | podman import -c 'CMD ["/bin/busybox","httpd","-f","-p","80","-h","/www"]' - ${IMAGE}`,
        ],
        { env: ENV },
      );
      rmSync(dir, { recursive: true, force: true });
    }
    const s = spawn('podman', ['system', 'service', '--time=0', `unix://${SOCK}`], {
      detached: true,
      stdio: 'ignore',
      env: ENV,
    });
    service = s.pid ?? null;
    for (let i = 0; i < 50 && spawnSync('curl', ['-s', '--unix-socket', SOCK, 'http://d/_ping']).status !== 0; i++)
      await new Promise((r) => setTimeout(r, 200));
  }, 60_000);
  afterEach(() => {
    const ids = pm(['ps', '-aq', '--filter', 'label=portdoctor.test=1']).stdout.trim();
    if (ids) pm(['rm', '-f', ...ids.split('\n')]);
  });
  afterAll(() => {
    if (service) {
      try {
        process.kill(-service, 'SIGTERM');
      } catch {
        /* gone */
      }
    }
    rmSync(SOCK, { force: true });
    rmSync(CONF_DIR, { recursive: true, force: true });
  });

  it("conmon holds the port; through Podman's socket the container is named; a second publish is diagnosed from its error", () => {
    const port = P(1);
    expect(pm(['info', '--format', '{{.Host.OCIRuntime.Name}}']).stdout.trim()).toBe('runc');
    const r = pm([
      'run',
      '-d',
      ...LIMITS,
      '--label',
      'portdoctor.test=1',
      '--name',
      `pdtest-pod-${port}`,
      '-p',
      `${port}:80`,
      IMAGE,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const outside = diagnoseJson(String(port));
    expect(outside.json.verdict.cause).toBe('container');
    expect(outside.json.holders[0]).toMatchObject({ kind: 'process', comm: 'conmon' });
    const inside = diagnoseJson(String(port), [], { DOCKER_HOST: `unix://${SOCK}` });
    expect(inside.json.verdict).toMatchObject({ cause: 'container', confidence: 'certain' });
    expect(inside.json.holders[0]).toMatchObject({ kind: 'container', name: `pdtest-pod-${port}` });
    expect((inside.json as unknown as { engine: string }).engine).toMatch(/^Podman 4\./);
    expect(inside.json.findings.map((f) => f.rule)).not.toContain('allocation-without-listener');
    const second = pm(['run', '-d', ...LIMITS, '--label', 'portdoctor.test=1', '-p', `${port}:80`, IMAGE]);
    expect(second.stderr).toMatch(/cannot listen on the TCP port: listen tcp4 :\d+: bind: address already in use/);
    const d = diagnoseJson('', ['--error', second.stderr], { DOCKER_HOST: `unix://${SOCK}` });
    expect(d.json.verdict.cause).toBe('container');
    expect(d.json.holders[0]).toMatchObject({ name: `pdtest-pod-${port}` });
  });
});
