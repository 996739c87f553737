// Differential test: `docker compose config` (Compose v2 2.40.3, fetched by scripts/engines.sh) is the
// oracle. For every compose fixture (the awesome-compose files and the edge cases in
// test/fixtures/compose/oracle), the services lint builds, after profiles, and each one's resolved
// bindings (host IP, published, target, protocol) must equal what Compose resolves; the project name
// too; and a file Compose refuses must not pass lint (an error, and the CLI exits non-zero).
// Without the binary this fails on CI (CI=true) and is skipped, saying so, elsewhere.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { composeVars, profilesFor, projectName, type Vars } from '../../../src/compose/inputs.js';
import { buildProjects } from '../../../src/compose/lint.js';
import type { LoadedFile, ProjectInput } from '../../../src/compose/project.js';
import type { ComposeBinding } from '../../../src/compose/types.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const FIX = join(ROOT, 'test/fixtures/compose');

function composeBinary(): string | null {
  const fromEnv = process.env.PORTDOCTOR_COMPOSE_V2;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  if (!existsSync(join(ROOT, 'scripts/engines.sh'))) return null;
  // engines.sh prints where it unpacked Compose v2 (and fetches it first when it has not yet)
  const r = spawnSync('bash', [join(ROOT, 'scripts/engines.sh'), 'env'], { encoding: 'utf8', timeout: 300_000 });
  const m = /^PORTDOCTOR_COMPOSE_V2=(.+)$/m.exec(r.stdout ?? '');
  return m && existsSync(m[1] as string) ? (m[1] as string) : null;
}

interface Case {
  readonly name: string;
  readonly dir: string;
  readonly files: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly profiles?: readonly string[];
  readonly refused?: boolean;
}

function cases(): Case[] {
  const out: Case[] = [];
  const ac = join(FIX, 'awesome-compose');
  for (const d of readdirSync(ac, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    const f = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'].find((x) =>
      existsSync(join(ac, d.name, x)),
    );
    if (f) out.push({ name: `awesome-compose/${d.name}`, dir: join(ac, d.name), files: [f] });
  }
  const edge = JSON.parse(readFileSync(join(FIX, 'oracle/cases.json'), 'utf8')) as (Omit<Case, 'name'> & {
    dir: string;
  })[];
  for (const c of edge) out.push({ ...c, name: `oracle/${c.dir}`, dir: join(FIX, 'oracle', c.dir) });
  return out;
}

/** the environment both tools see: nothing of the caller's COMPOSE_* or test variables */
function envFor(c: Case): Vars {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', ...c.env };
}

function read(path: string): LoadedFile | null {
  try {
    return { path, text: readFileSync(path, 'utf8') };
  } catch {
    return null;
  }
}

function lintInput(c: Case): ProjectInput {
  const files = c.files.map((f) => read(join(c.dir, f)) as LoadedFile);
  const dotenv = existsSync(join(c.dir, '.env')) ? readFileSync(join(c.dir, '.env'), 'utf8') : null;
  const vars = composeVars(dotenv, envFor(c));
  return {
    name: projectName(basename(c.dir), files[0]?.text, undefined, vars),
    files,
    vars,
    profiles: profilesFor(c.profiles, vars),
    load: (p, from) => read(isAbsolute(p) ? p : join(dirname(from), p)),
  };
}

interface ComposePort {
  host_ip?: string;
  published?: string;
  target: number;
  protocol?: string;
}
interface ComposeOut {
  name: string;
  services: Record<string, { ports?: ComposePort[]; expose?: string[]; network_mode?: string }>;
}

const row = (proto: string, ip: string, published: string, target: number | string) =>
  `${proto} ${ip || '*'} ${published || '(ephemeral)'} -> ${target}`;

/** Compose's ports as rows; in host networking the app binds its container ports itself */
function composeRows(s: ComposeOut['services'][string]): string[] {
  if (s.network_mode === 'host')
    return [
      ...(s.ports ?? []).map((p) => row(p.protocol ?? 'tcp', '', String(p.target), p.target)),
      ...(s.expose ?? []).map((e) =>
        row(e.includes('/') ? e.split('/')[1]! : 'tcp', '', e.split('/')[0]!, e.split('/')[0]!),
      ),
    ].sort();
  return (s.ports ?? []).map((p) => row(p.protocol ?? 'tcp', p.host_ip ?? '', p.published ?? '', p.target)).sort();
}

/** lint's bindings in Compose's shape: a container range becomes one row per port, as Compose lists it */
function lintRows(bs: readonly ComposeBinding[]): string[] {
  const out: string[] = [];
  for (const b of bs) {
    const n = b.containerPort.end - b.containerPort.start + 1;
    const hp = b.hostPort;
    for (let i = 0; i < n; i++) {
      const published =
        hp === 'ephemeral'
          ? ''
          : n > 1
            ? String(hp.start + i)
            : hp.start === hp.end
              ? String(hp.start)
              : `${hp.start}-${hp.end}`;
      out.push(row(b.proto, b.hostIp ?? '', published, b.containerPort.start + i));
    }
  }
  return out.sort();
}

const COMPOSE = composeBinary();
const CI = process.env.CI === 'true';

describe('lint agrees with docker compose config', () => {
  if (!COMPOSE) {
    if (CI)
      it('has Compose v2 to compare with', () => {
        throw new Error(
          'Compose v2 not found: set PORTDOCTOR_COMPOSE_V2 or run `bash scripts/engines.sh` (as root) so the differential test can run',
        );
      });
    else it.skip('needs Compose v2 (PORTDOCTOR_COMPOSE_V2 or scripts/engines.sh): skipped outside CI', () => {});
    return;
  }
  const all = cases();
  // dist/ is built once before the unit tests (test/helpers/build-once.ts)
  const cliJs = join(ROOT, 'dist/cli.js');
  it('has the fixtures: every awesome-compose project and the edge cases', () => {
    expect(all.filter((c) => c.name.startsWith('awesome-compose/')).length).toBeGreaterThanOrEqual(35);
    expect(all.filter((c) => c.refused).length).toBeGreaterThanOrEqual(10);
  });
  for (const c of all) {
    it(`${c.name}${c.refused ? ' (Compose refuses it)' : ''}`, () => {
      const args = [...c.files.flatMap((f) => ['-f', f]), ...(c.profiles ?? []).flatMap((p) => ['--profile', p])];
      const r = spawnSync(COMPOSE, [...args, 'config', '--format', 'json'], {
        cwd: c.dir,
        env: envFor(c) as NodeJS.ProcessEnv,
        encoding: 'utf8',
        timeout: 30_000,
      });
      const built = buildProjects([lintInput(c)]);
      const errors = built.problems.filter((p) => p.severity === 'error');
      if (r.status !== 0) {
        // Compose refused it: so must lint, with an error that says what is wrong
        expect(c.refused, `Compose refused a fixture expected to pass: ${r.stderr}`).toBe(true);
        expect(errors.map((e) => `${e.rule}: ${e.message}`).join('\n')).not.toBe('');
        const cli = spawnSync(process.execPath, [cliJs, 'lint', ...args], {
          cwd: c.dir,
          env: { ...(envFor(c) as NodeJS.ProcessEnv), NO_COLOR: '1' },
          encoding: 'utf8',
        });
        expect(cli.status).not.toBe(0);
        expect(cli.stderr).not.toMatch(/internal error|\n\s+at /);
        return;
      }
      expect(c.refused ?? false, 'Compose accepted a fixture expected to be refused').toBe(false);
      const want = JSON.parse(r.stdout) as ComposeOut;
      const project = built.projects[0]!;
      expect(project.name).toBe(want.name);
      const got = Object.fromEntries(project.services.map((s) => [s.name, lintRows(s.bindings)]));
      const expected = Object.fromEntries(Object.entries(want.services).map(([n, s]) => [n, composeRows(s)]));
      expect(got).toEqual(expected);
      // nothing Compose accepts is an error for lint's loader (rules may still report clashes)
      expect(
        errors.filter((e) => ['invalid-compose', 'invalid-port', 'parse-error', 'not-compose'].includes(e.rule)),
      ).toEqual([]);
    });
  }
});
