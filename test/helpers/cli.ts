// Run the built CLI as users do (bin/portdoctor), with the environment a test chooses.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { checkCliOutput } from './json-schema.js';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const BIN = join(ROOT, 'bin/portdoctor');

export interface Ran {
  code: number | null;
  out: string;
  err: string;
}

export function runCli(args: string[], o: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Ran {
  const r = spawnSync(BIN, args, {
    encoding: 'utf8',
    input: o.input,
    cwd: o.cwd,
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: '1', PORTDOCTOR_TEST: '1', ...o.env },
  });
  // every --json (and SARIF) output a test sees must fit the schema the package ships
  checkCliOutput(args, r.stdout);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Run with stdout already closed by its reader (what `| head -1` does once it has its line). */
export function runIntoClosedPipe(
  args: string[],
  o: { input?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null; err: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(BIN, args, {
      env: { ...process.env, NO_COLOR: '1', PORTDOCTOR_TEST: '1', ...o.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    c.stdout.destroy();
    let err = '';
    c.stderr.on('data', (d) => (err += d));
    c.stdin.on('error', () => {});
    c.stdin.end(o.input ?? '');
    const t = setTimeout(() => c.kill('SIGKILL'), 30_000);
    c.on('error', reject);
    c.on('close', (code, signal) => {
      clearTimeout(t);
      resolve({ code, signal, err });
    });
  });
}

/** Run in a pseudo-terminal of `cols` columns (util-linux script), so stdout is a terminal. */
export function runInTty(args: string[], cols: number, o: { input?: string; env?: NodeJS.ProcessEnv } = {}): Ran {
  const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
  const r = spawnSync(
    'script',
    ['-qec', `stty cols ${cols} rows 50; ${[BIN, ...args].map(q).join(' ')}`, '/dev/null'],
    {
      encoding: 'utf8',
      input: o.input,
      timeout: 30_000,
      env: { ...process.env, PORTDOCTOR_TEST: '1', TERM: 'xterm', ...o.env },
    },
  );
  return { code: r.status, out: r.stdout.replace(/\r\n/g, '\n'), err: r.stderr };
}
