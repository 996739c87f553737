// `portdoctor lint --against-host` on the real host: clashes with what this host already has,
// reusing diagnose's collectors, with the holder named; the project's own containers do not count.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dockerReady, Lab, portBlock, portdoctor } from './helpers.js';

const P = portBlock(3);
const lab = new Lab();
afterEach(() => lab.cleanup());
const notReady = dockerReady();

function lint(
  compose: string,
  extra: string[] = [],
): { code: number; problems: Array<{ rule: string; line: number; message: string; data: Record<string, unknown> }> } {
  const dir = mkdtempSync(join(tmpdir(), 'pd-lint-'));
  writeFileSync(join(dir, 'compose.yaml'), compose);
  const r = portdoctor([
    'lint',
    '--against-host',
    '--format',
    'json',
    '-p',
    'pdtestproj',
    '-f',
    join(dir, 'compose.yaml'),
    ...extra,
  ]);
  return {
    code: r.code,
    problems: (
      JSON.parse(r.stdout) as {
        problems: Array<{ rule: string; line: number; message: string; data: Record<string, unknown> }>;
      }
    ).problems,
  };
}

describe.skipIf(notReady !== null)(`lint --against-host${notReady ? ` (skipped: ${notReady})` : ''}`, () => {
  it('names a host process, a running container and a DNAT-free port correctly', async () => {
    const held = P(1);
    const pid = await lab.hold({ proto: 'tcp', host: '0.0.0.0', port: held });
    const byContainer = P(2);
    const id = lab.run(['--name', `pdtest-lint-${byContainer}`, '-p', `${byContainer}:80`]);
    const free = P(3);
    const r = lint(
      `services:\n  a:\n    image: x\n    ports:\n      - "${held}:80"\n      - "127.0.0.1:${byContainer}:80"\n      - "0.0.0.0:${free}:80"\n`,
    );
    expect(r.code).toBe(1);
    const inUse = r.problems.filter((p) => p.rule === 'host-port-in-use');
    expect(inUse.map((p) => [p.line, p.data.cause])).toEqual([
      [5, 'host-process'],
      [6, 'container'],
    ]);
    expect(inUse[0]?.message).toMatch(new RegExp(`pid ${pid}`));
    expect(inUse[1]?.message).toMatch(new RegExp(`pdtest-lint-${byContainer}`));
    void id;
  });

  it("the project's own running container is not a clash (a redeploy replaces it)", () => {
    const port = P(4);
    lab.run([
      '--label',
      'com.docker.compose.project=pdtestproj',
      '--label',
      'com.docker.compose.service=a',
      '-p',
      `${port}:80`,
    ]);
    const r = lint(`services:\n  a:\n    image: x\n    ports: ["0.0.0.0:${port}:80"]\n`);
    expect(r.problems.filter((p) => p.rule === 'host-port-in-use')).toEqual([]);
    expect(r.code).toBe(0);
  });
});
