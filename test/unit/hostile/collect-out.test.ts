// collect --out: never over a file without --force, never through a symlink, mode 0600, `-` is
// stdout. Run as users run it; it reads this host (read-only) for one test port, no bind probe.
import { lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const ARGS = ['--port', '20987', '--no-probe'];
const ENV = { DOCKER_HOST: 'unix:///nonexistent/pd-test.sock' };
const scratch = () => mkdtempSync(join(tmpdir(), 'pd-collect-'));

describe('collect --out', () => {
  it('writes a new file 0600 whatever the umask; refuses an existing one without --force; --force replaces it', () => {
    const d = scratch();
    const f = join(d, 's.json');
    const r = runCli(['collect', '--out', f, ...ARGS], { env: ENV });
    expect(r.code).toBe(0);
    expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(f, 'utf8')).schema).toBe('portdoctor.snapshot/1');
    writeFileSync(f, 'keep');
    const again = runCli(['collect', '--out', f, ...ARGS], { env: ENV });
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/--out .*s\.json: it exists; add --force to replace it/);
    expect(readFileSync(f, 'utf8')).toBe('keep');
    expect(runCli(['collect', '--out', f, '--force', ...ARGS], { env: ENV }).code).toBe(0);
    expect(readFileSync(f, 'utf8')).toMatch(/portdoctor\.snapshot\/1/);
  });
  it('never writes through a symlink, even with --force; the target is unchanged', () => {
    const d = scratch();
    writeFileSync(join(d, 't.txt'), 'keep');
    symlinkSync(join(d, 't.txt'), join(d, 'l.json'));
    const r = runCli(['collect', '--out', join(d, 'l.json'), ...ARGS], { env: ENV });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/it exists \(a symbolic link, never written through\)/);
    const f = runCli(['collect', '--out', join(d, 'l.json'), '--force', ...ARGS], { env: ENV });
    expect(f.code).toBe(2);
    expect(f.err).toMatch(/it is a symbolic link; portdoctor does not write through one/);
    expect(readFileSync(join(d, 't.txt'), 'utf8')).toBe('keep');
    // a dangling link too (it would create its target)
    symlinkSync(join(d, 'new.txt'), join(d, 'dangling.json'));
    expect(runCli(['collect', '--out', join(d, 'dangling.json'), '--force', ...ARGS], { env: ENV }).code).toBe(2);
    expect(lstatSync(join(d, 'new.txt'), { throwIfNoEntry: false })).toBeUndefined();
  });
  it('--out - writes the snapshot to stdout and no file named "-"', () => {
    const d = scratch();
    const r = runCli(['collect', '--out', '-', ...ARGS], { env: ENV, cwd: d });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).schema).toBe('portdoctor.snapshot/1');
    expect(lstatSync(join(d, '-'), { throwIfNoEntry: false })).toBeUndefined();
  });
  it('a missing directory or a directory: a clear error, exit 2', () => {
    const d = scratch();
    const r = runCli(['collect', '--out', join(d, 'no/such/s.json'), ...ARGS], { env: ENV });
    // refused before the host is collected, naming the directory
    expect(r.err).toMatch(/--out .*: its directory .*no\/such does not exist/);
    expect(r.code).toBe(2);
    const dir = runCli(['collect', '--out', d, '--force', ...ARGS], { env: ENV });
    expect(dir.code).toBe(2);
    expect(dir.err).not.toMatch(/internal error/);
  });
});
