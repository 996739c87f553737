// watch survives a dockerd restart and still reports the start failure that happened around it.
// Only ever restarts a dockerd that the test command itself started (scripts/test-env.sh records its
// pid); on a machine whose dockerd it did not start, this test says so and is skipped.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, dockerReady, ENGINE, Lab, portBlock, ROOT } from './helpers.js';
import { validateOutput } from '../helpers/json-schema.js';

const STATE = process.env.PORTDOCTOR_TEST_STATE ?? '/run/portdoctor-test';
const PIDFILE = join(STATE, ENGINE.id === '28.5' ? 'dockerd28.pid' : 'dockerd.pid');
const ours = existsSync(PIDFILE) ? Number(readFileSync(PIDFILE, 'utf8').trim()) : null;
const alive = ours !== null && spawnSync('kill', ['-0', String(ours)]).status === 0;
const notReady =
  dockerReady() ??
  (alive ? null : 'the running dockerd was not started by the test command, so it is not ours to restart');
const P = portBlock(5);
const lab = new Lab();
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  lab.cleanup();
});

// the test command's own restart: the same binary, flags, roots and pidfile as its first start
function restartDockerd(): void {
  const r = spawnSync('bash', [join(ROOT, 'scripts/test-env.sh'), '--restart', ENGINE.id], {
    encoding: 'utf8',
    timeout: 90_000,
  });
  if (r.status !== 0) throw new Error(`test-env.sh --restart ${ENGINE.id} failed: ${r.stderr}`);
}

describe.skipIf(notReady !== null)(
  `watch across a restart of dockerd ${ENGINE.id}${notReady ? ` (skipped: ${notReady})` : ''}`,
  () => {
    it('reports disconnected / reconnected, and the failure made right after the restart', async () => {
      const child = spawn(BIN, ['watch', '--json'], { stdio: ['ignore', 'pipe', 'ignore'] });
      children.push(child);
      const lines: string[] = [];
      let buf = '';
      child.stdout?.on('data', (d: Buffer) => {
        buf += String(d);
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          lines.push(buf.slice(0, i));
          buf = buf.slice(i + 1);
        }
      });
      const waitFor = async (re: RegExp, ms = 60_000) => {
        const t0 = Date.now();
        for (;;) {
          const h = lines.find((l) => re.test(l));
          if (h) return h;
          if (Date.now() - t0 > ms) throw new Error(`no ${re} in:\n${lines.join('\n')}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      await waitFor(/"event":"watching"/);
      const port = P(1);
      await lab.hold({ proto: 'tcp', host: '0.0.0.0', port });
      restartDockerd();
      await waitFor(/"event":"disconnected"/);
      lab.runFails(['--name', `pdtest-after-restart-${port}`, '-p', `${port}:80`]);
      await waitFor(/"event":"reconnected"/);
      const l = validateOutput('watch-line', JSON.parse(await waitFor(/"event":"start-failed"/))) as {
        container: { name: string };
        cause: string;
      };
      expect(l).toMatchObject({ container: { name: `pdtest-after-restart-${port}` }, cause: 'host-process' });
    });
  },
);
