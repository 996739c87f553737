// Every printed way around a holder is pasted and run: `diagnose --json` gives the publish-elsewhere steps
// (docker run -p …), the test fills in the container port and the test image, runs each one on the real
// dockerd, and each must start a container that publishes exactly what was printed.
import { afterEach, describe, expect, it } from 'vitest';
import { diagnoseJson, dockerReady, Lab, portBlock, sh } from './helpers.js';

const P = portBlock(71);
const notReady = dockerReady();
const lab = new Lab();
afterEach(() => lab.cleanup());

interface Step {
  argv: string[];
  why: string;
}

/** The publish-elsewhere suggestions diagnose printed for this target, as argv. */
function suggestions(target: string): { cause: string; steps: Step[] } {
  const d = diagnoseJson(target);
  const plans = d.json.remedies as Array<{ remedy: string; steps: Step[] }>;
  return {
    cause: d.json.verdict.cause,
    steps: plans.filter((p) => p.remedy === 'publish-elsewhere').flatMap((p) => p.steps),
  };
}

/** Run one printed `docker run -p SPEC IMAGE` as the user would, with only the placeholders filled in. */
function runPrinted(s: Step): { spec: string; published: string } {
  expect(s.argv.slice(0, 3)).toEqual(['docker', 'run', '-p']);
  expect(s.argv[4]).toBe('IMAGE');
  const spec = (s.argv[3] as string).replace('CONTAINER_PORT', '80');
  const id = lab.run(['-p', spec]);
  expect(lab.inspect(id, '{{.State.Running}}')).toBe('true');
  return { spec, published: sh(['docker', 'port', id]).stdout.trim() };
}

const hostIp = (spec: string): string => /^(\d+\.\d+\.\d+\.\d+):/.exec(spec)?.[1] ?? '0.0.0.0';

describe.skipIf(notReady !== null)(
  `printed fixes run on the real dockerd${notReady ? ` (skipped: ${notReady})` : ''}`,
  () => {
    it('a host process on 0.0.0.0: another host port, which then works; no loopback suggestion', async () => {
      const port = P(1);
      await lab.hold({ proto: 'tcp', host: '0.0.0.0', port });
      const { cause, steps } = suggestions(String(port));
      expect(cause).toBe('host-process');
      expect(steps.length).toBeGreaterThan(0);
      expect(steps.map((s) => s.argv[3])).not.toContain(`127.0.0.1:${port}:CONTAINER_PORT`);
      for (const s of steps) {
        const r = runPrinted(s);
        expect(r.spec).not.toMatch(new RegExp(`(^|:)${port}:`));
        expect(r.published).toMatch(/^80\/tcp -> 0\.0\.0\.0:\d+/);
      }
    });

    it('a host process on 127.0.0.1: never 127.0.0.1 on the same port; what is printed works', async () => {
      const port = P(11);
      await lab.hold({ proto: 'tcp', host: '127.0.0.1', port });
      const { cause, steps } = suggestions(String(port));
      expect(cause).toBe('host-process');
      expect(steps.map((s) => s.argv[3])).not.toContain(`127.0.0.1:${port}:CONTAINER_PORT`);
      expect(steps.length).toBeGreaterThan(0);
      for (const s of steps) runPrinted(s);
    });

    it('a holder on another host address: the loopback suggestion is printed, and works', async () => {
      const addrs = sh(['ip', '-4', '-o', 'addr', 'show']).stdout.match(/inet (\d+\.\d+\.\d+\.\d+)\//g) ?? [];
      const other = addrs.map((a) => a.slice(5, -1)).find((a) => !a.startsWith('127.'));
      expect(other, 'a non-loopback IPv4 address on this host').toBeDefined();
      const port = P(21);
      // a socket bound on a local address only; nothing ever connects to it
      await lab.hold({ proto: 'tcp', host: other as string, port });
      const { steps } = suggestions(String(port));
      const lo = steps.find((s) => s.argv[3] === `127.0.0.1:${port}:CONTAINER_PORT`);
      expect(lo, JSON.stringify(steps)).toBeDefined();
      for (const s of steps) {
        const r = runPrinted(s);
        expect(r.published).toContain(`${hostIp(r.spec)}:`);
      }
    });

    it('another container on 0.0.0.0: the printed port works for a second container', () => {
      const port = P(31);
      lab.run(['-p', `${port}:80`]);
      const { cause, steps } = suggestions(String(port));
      expect(cause).toBe('container');
      expect(steps.length).toBeGreaterThan(0);
      for (const s of steps) runPrinted(s);
    });

    it('udp: the printed suggestion keeps the protocol and works', async () => {
      const port = P(41);
      await lab.hold({ proto: 'udp', host: '0.0.0.0', port });
      const { steps } = suggestions(`${port}/udp`);
      expect(steps.length).toBeGreaterThan(0);
      for (const s of steps) {
        expect(s.argv[3]).toMatch(/\/udp$/);
        expect(runPrinted(s).published).toMatch(/^80\/udp -> /);
      }
    });
  },
);
