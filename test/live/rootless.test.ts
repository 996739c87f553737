// A REAL rootless dockerd (Debian's dockerd-rootless.sh, RootlessKit builtin port driver,
// slirp4netns), started and stopped by this test as the unprivileged user pdtest-rootless. A rootless
// port conflict is reproduced and diagnosed from both sides. On the 28.5 pass it is sid's dockerd 28.5.2
// and its dockerd-rootless.sh with RootlessKit 2.0.2 (scripts/engines.sh), each engine on its own
// data-root; what differs per engine is in ./engine-expect.ts.
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BIN, diagnoseJson, ENGINE, IMAGE, Lab, portBlock, sh } from './helpers.js';

const P = portBlock(59);
const USER = 'pdtest-rootless';
const uid = Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout.trim() || NaN);
const RUNDIR = `/run/user/${uid}`;
const SOCK = `unix://${RUNDIR}/docker.sock`;
const SCRIPT = process.env.PORTDOCTOR_TEST_DOCKERD_ROOTLESS ?? '/usr/share/docker.io/contrib/dockerd-rootless.sh';
// the engine's own directory first (dockerd, docker-proxy, rootlesskit of that engine), then the system's
const ENGINE_PATH = process.env.PORTDOCTOR_TEST_ENGINE_PATH ?? '';
const PATH = `${dirname(SCRIPT)}:${ENGINE_PATH ? `${ENGINE_PATH}:` : ''}/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`;
const lab = new Lab();
let daemon: number | null = null;

function why(): string | null {
  if (!Number.isInteger(uid)) return `user ${USER} missing (scripts/test-env.sh creates it)`;
  for (const b of ['rootlesskit', 'slirp4netns', 'newuidmap'])
    if (spawnSync('sh', ['-c', `command -v ${b}`], { env: { PATH } }).status !== 0) return `${b} not installed`;
  if (!existsSync(SCRIPT)) return `${SCRIPT} missing`;
  if (spawnSync('docker', ['image', 'inspect', IMAGE], { stdio: 'ignore' }).status !== 0)
    return `image ${IMAGE} missing`;
  return null;
}
const notReady = why();

/** pids of user USER's containerd shims serving this containerd socket, and of their children */
function shimsOf(address: string): number[] {
  const procs = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const status = readFileSync(`/proc/${d}/status`, 'utf8');
        const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
        return [
          {
            pid: Number(d),
            uid: Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]),
            ppid: Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]),
            argv,
          },
        ];
      } catch {
        return [];
      }
    });
  const shims = procs.filter(
    (p) =>
      p.uid === uid &&
      (p.argv[0] ?? '').endsWith('containerd-shim-runc-v2') &&
      p.argv[p.argv.indexOf('-address') + 1] === address,
  );
  const ids = new Set(shims.map((p) => p.pid));
  return [...shims.map((p) => p.pid), ...procs.filter((p) => p.uid === uid && ids.has(p.ppid)).map((p) => p.pid)];
}
const rl = (args: string[]) =>
  spawnSync('docker', args, { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: SOCK }, timeout: 60_000 });

describe.skipIf(notReady !== null)(
  `rootless Docker ${ENGINE.id} (${ENGINE.rootless.rootlesskit}), live${notReady ? ` (skipped: ${notReady})` : ''}`,
  () => {
    beforeAll(async () => {
      mkdirSync(RUNDIR, { recursive: true, mode: 0o700 });
      chownSync(RUNDIR, uid, uid);
      const child = spawn(
        'runuser',
        [
          '-u',
          USER,
          '--',
          'env',
          '-i',
          `HOME=/home/${USER}`,
          `XDG_RUNTIME_DIR=${RUNDIR}`,
          `PATH=${PATH}`,
          'PORTDOCTOR_TEST=1',
          'dockerd-rootless.sh',
          '--storage-driver',
          'vfs',
          '--data-root',
          `/home/${USER}/.local/share/docker-${ENGINE.id}`,
        ],
        { detached: true, stdio: 'ignore' },
      );
      daemon = child.pid ?? null;
      for (let i = 0; i < 120 && rl(['info']).status !== 0; i++) await new Promise((r) => setTimeout(r, 500));
      if (rl(['info']).status !== 0)
        throw new Error('the rootless dockerd did not come up (see dockerd-rootless.sh as pdtest-rootless)');
      const save = spawnSync('sh', ['-c', `docker save ${IMAGE} | DOCKER_HOST=${SOCK} docker load`], {
        encoding: 'utf8',
      });
      if (save.status !== 0) throw new Error(save.stderr);
    }, 120_000);
    afterEach(() => {
      const ids = rl(['ps', '-aq']).stdout.trim();
      if (ids) rl(['rm', '-f', ...ids.split('\n')]);
      lab.cleanup();
    });
    afterAll(async () => {
      // the dockerd this test started (and RootlessKit around it): its process group
      if (daemon) {
        try {
          process.kill(-daemon, 'SIGTERM');
        } catch {
          /* gone */
        }
      }
      for (let i = 0; i < 40 && spawnSync('pgrep', ['-u', USER, '-x', 'rootlesskit']).status === 0; i++)
        await new Promise((r) => setTimeout(r, 250));
      // a publish refused by the port driver leaves its container's shim (and its `runc init`) behind the
      // stopped daemon: those of this test's own containerd socket, by pid, and their children
      for (const pid of shimsOf(`${RUNDIR}/docker/containerd/containerd.sock`)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      spawnSync('runuser', ['-u', USER, '--', 'sh', '-c', `rm -rf ${RUNDIR}/docker* ; true`]);
    }, 30_000);

    it('a rootless container publishes P: rootlesskit holds it on the host; each side names what it can see', () => {
      const port = P(1);
      const r = rl(['run', '-d', '--label', 'portdoctor.test=1', '-p', `${port}:80`, IMAGE]);
      expect(r.status, r.stderr).toBe(0);
      const id = r.stdout.trim();
      // the rootful daemon's view: a forwarder of another user's engine
      const outside = diagnoseJson(String(port));
      expect(outside.json.verdict).toMatchObject({ cause: 'container', confidence: 'likely' });
      expect(outside.json.holders[0]).toMatchObject({ kind: 'process', comm: 'rootlesskit' });
      // the rootless daemon's view: its own container, and the engine line says rootless + port driver
      const inside = diagnoseJson(String(port), [], { DOCKER_HOST: SOCK });
      expect(inside.json.verdict.cause).toBe('container');
      expect(inside.json.holders[0]).toMatchObject({ kind: 'container', id });
      expect((inside.json as unknown as { engine: string }).engine).toMatch(
        /rootless \(port driver builtin, net slirp4netns\)/,
      );
    });

    it('a host process holds P: rootless docker run fails in PortManager.AddPort; diagnose names the pid', async () => {
      const port = P(2);
      const pid = await lab.hold({ proto: 'tcp', host: '0.0.0.0', port });
      const r = rl(['run', '-d', '--label', 'portdoctor.test=1', '-p', `${port}:80`, IMAGE]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(ENGINE.rootless.hostBindInUse(port));
      const d = diagnoseJson('', ['--error', r.stderr], { DOCKER_HOST: SOCK });
      expect(d.json.verdict.cause).toBe('host-process');
      expect(d.json.holders[0]).toMatchObject({ kind: 'process', pid });
      const ex = JSON.parse(sh([BIN, 'explain', '--json', r.stderr], { allowFail: true }).stdout) as {
        stage: string;
        subject: { port: number };
      };
      expect(ex).toMatchObject({ stage: 'rootless-port-driver', subject: { port } });
    });
  },
);
