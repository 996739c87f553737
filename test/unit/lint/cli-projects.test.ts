// lint as users run it, on what Compose takes from outside the files: two projects, each merged
// from several files (--project), in one call; COMPOSE_PROFILES and COMPOSE_PROJECT_NAME from .env
// or the shell; an override's `ports: !reset []`; an empty host IP.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseOutput } from '../../helpers/json-schema.js';

const DIR = fileURLToPath(new URL('../../fixtures/compose/two-projects/', import.meta.url));
// dist/ is built once before the unit tests (test/helpers/build-once.ts)
const cli = fileURLToPath(new URL('../../../dist/cli.js', import.meta.url));

interface Out {
  files: string[];
  problems: {
    rule: string;
    severity: string;
    file: string;
    line: number;
    message: string;
    data: Record<string, unknown>;
  }[];
}
function lint(
  args: string[],
  env: Record<string, string> = {},
): { code: number | null; out: Out | null; stderr: string } {
  const r = spawnSync(process.execPath, [cli, 'lint', '--format', 'json', ...args], {
    cwd: DIR,
    env: { PATH: process.env.PATH, NO_COLOR: '1', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout ? parseOutput<Out>('lint', r.stdout) : null, stderr: r.stderr };
}

describe('two projects, each with several files, in one call', () => {
  const both = ['--project', 'a/compose.yml,a/override.yml', '--project', 'b/compose.yml,b/compose.prod.yml'];
  it('finds the one real clash between them, and none that an override removed', () => {
    const r = lint(both);
    expect(r.code).toBe(1);
    expect(r.out?.files).toEqual(['a/compose.yml', 'a/override.yml', 'b/compose.yml', 'b/compose.prod.yml']);
    const clashes = r.out?.problems.filter((p) => p.rule === 'duplicate-host-port') ?? [];
    // 9090: a's api and b's web (":9090:80", an empty host IP = every interface); b's project name
    // comes from its .env. 8080: a's web was reset by a/override.yml, so b's dev (enabled by
    // COMPOSE_PROFILES in b/.env) clashes with nothing
    expect(clashes.map((p) => [p.data.port, p.data.services, p.data.projects])).toEqual([
      [9090, ['api', 'web'], ['a', 'bee']],
    ]);
  });
  it('a project can be named on the command line; -f and --project combine', () => {
    const r = lint([
      '-f',
      'a/compose.yml',
      '-f',
      'a/override.yml',
      '--project',
      'prod=b/compose.yml,b/compose.prod.yml',
    ]);
    const clash = r.out?.problems.find((p) => p.rule === 'duplicate-host-port');
    expect(clash?.data.projects).toEqual(['a', 'prod']);
  });
  it('the shell wins over .env: COMPOSE_PROFILES= (empty) turns the dev profile off, COMPOSE_PROJECT_NAME renames', () => {
    const r = lint(['--project', 'b/compose.yml'], { COMPOSE_PROFILES: 'other', COMPOSE_PROJECT_NAME: 'shell' });
    const dev = (o: Out | null | undefined) =>
      (o?.problems ?? []).filter((p) => (p.data.services as string[] | undefined)?.includes('dev'));
    expect(dev(r.out)).toEqual([]);
    const on = lint(['--project', 'b/compose.yml']);
    expect(dev(on.out).length).toBeGreaterThan(0);
  });
  it('a bad --project value is a usage error', () => {
    const r = lint(['--project', ',']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--project ",": name at least one compose file/);
  });
  it('a file Compose refuses does not pass: exit 1 and where it is wrong', () => {
    const r = spawnSync(process.execPath, [cli, 'lint', '../oracle/refuse-unknown-key/compose.yml'], {
      cwd: DIR,
      env: { PATH: process.env.PATH, NO_COLOR: '1' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(
      /4:5 +error +services\.a: "prots" is not a Compose key here \(docker compose refuses this file\) +invalid-compose/,
    );
  });
});
