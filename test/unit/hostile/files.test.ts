// Hostile files, spawned as users run it (bin/portdoctor): every read is capped and only of regular
// files, a file that is not compose is never shown, cycles end, and bad input gets a clear exit 2.
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const NO_DAEMON = (d: string) => ({ DOCKER_HOST: `unix://${d}/no-docker.sock` });
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .*:\d+:\d+|internal error/);
const scratch = () => mkdtempSync(join(tmpdir(), 'pd-hostile-'));

describe('the launcher', () => {
  it('--env-file with NODE_OPTIONS=--require inside is portdoctor’s, never node’s: the preload does not run', () => {
    const d = scratch();
    writeFileSync(join(d, 'x.env'), 'NODE_OPTIONS=--require ./p.js\nWEB_PORT=8300\n');
    writeFileSync(join(d, 'p.js'), `require('fs').writeFileSync(${JSON.stringify(join(d, 'PWNED'))}, 'ran')`);
    writeFileSync(join(d, 'c.yml'), 'services:\n  web:\n    image: nginx\n    ports: ["${WEB_PORT}:80"]\n');
    const r = runCli(['lint', 'c.yml', '--env-file', 'x.env'], { cwd: d, env: NO_DAEMON(d) });
    expect(r.code).toBe(0);
    expect(lstatSync(join(d, 'PWNED'), { throwIfNoEntry: false })).toBeUndefined();
    // and the variable from the file was used by lint itself (8300 is the port)
    expect(runCli(['lint', 'c.yml', '--env-file=x.env', '--json'], { cwd: d, env: NO_DAEMON(d) }).out).toContain(
      '8300',
    );
    expect(lstatSync(join(d, 'PWNED'), { throwIfNoEntry: false })).toBeUndefined();
  });
});

describe('compose include: only compose files are read and shown', () => {
  it('/proc/self/environ, /etc/passwd, /dev/zero: refused or not shown, with the include named', () => {
    const d = scratch();
    writeFileSync(
      join(d, 'e.yml'),
      'include:\n  - /proc/self/environ\n  - /etc/passwd\n  - /dev/zero\nservices:\n  web:\n    image: nginx\n',
    );
    const r = runCli(['lint', 'e.yml'], { cwd: d, env: { ...NO_DAEMON(d), FAKE_CI_TOKEN: 'FAKEtoken123' } });
    expect(r.code).toBe(1);
    expect(r.out).not.toContain('FAKEtoken123');
    expect(r.out).not.toMatch(/root:/);
    expect(r.out).toMatch(/include "\/proc\/self\/environ" could not be read: it is not a text file/);
    expect(r.out).toMatch(/include "\/dev\/zero" could not be read: it is not a regular file/);
    expect(r.out).toMatch(/etc\/passwd\n\s+1:1\s+error\s+not a Compose file: .*its content is not shown/);
    noStack(r.err);
  });
  it('a big included file is refused by size, not read whole', () => {
    const d = scratch();
    writeFileSync(join(d, 'big.yml'), `x-pad: "${'a'.repeat(9 * 1024 * 1024)}"\n`);
    writeFileSync(join(d, 'c.yml'), 'include:\n  - big.yml\nservices:\n  web:\n    image: nginx\n');
    const r = runCli(['lint', 'c.yml'], { cwd: d, env: NO_DAEMON(d) });
    expect(r.out).toMatch(/include "big.yml" could not be read: it is 9 MiB, larger than the 8 MiB portdoctor reads/);
    expect(r.out).not.toContain('aaaa');
  });
  it('two symlink loops in include end at once with an include-cycle error', () => {
    const d = scratch();
    symlinkSync('.', join(d, 'l1'));
    symlinkSync('.', join(d, 'l2'));
    writeFileSync(
      join(d, 'compose.yml'),
      'include:\n  - l1/compose.yml\n  - l2/compose.yml\nservices:\n  web:\n    image: nginx\n',
    );
    // a lint that grew without end is killed by runCli's timeout: no exit code, and this fails
    const r = runCli(['lint', 'compose.yml'], { cwd: d, env: NO_DAEMON(d) });
    expect(r.code).toBe(1);
    expect(r.out.match(/include-cycle/g)).toHaveLength(2);
    expect(r.out).toMatch(/include "l1\/compose.yml" .*an include cycle/);
  });
  it('extends cycles (a↔b, c→c, and the same cycle in four included files) get one clear error each', () => {
    const d = scratch();
    const cyc = (n: number) =>
      `services:\n  a${n}:\n    image: x\n    extends: b${n}\n    ports: ["127.0.0.1:81${n}0:80"]\n  b${n}:\n    image: x\n    extends: a${n}\n`;
    for (const n of [1, 2, 3, 4]) writeFileSync(join(d, `c${n}.yml`), cyc(n));
    writeFileSync(
      join(d, 'compose.yml'),
      'include: [c1.yml, c2.yml, c3.yml, c4.yml]\nservices:\n  c:\n    image: x\n    extends: c\n',
    );
    const r = runCli(['lint', 'compose.yml'], { cwd: d, env: NO_DAEMON(d) });
    expect(r.code).toBe(1);
    noStack(r.out + r.err);
    expect(r.out).toMatch(/extends: service "c" extends itself through c → c; docker compose refuses a cycle/);
    expect(r.out.match(/extends-cycle/g)).toHaveLength(5);
    expect(r.out).not.toMatch(/Maximum call stack/);
  });
});

describe('compose files that are YAML bombs of another kind', () => {
  it('100,000 nested [ : "nested too deeply", and the 100 KB line is not printed whole', () => {
    const d = scratch();
    writeFileSync(join(d, 'deep.yml'), `services: ${'['.repeat(100_000)}\n`);
    const r = runCli(['lint', 'deep.yml'], { cwd: d, env: NO_DAEMON(d) });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/not valid YAML for Compose: nested too deeply/);
    expect(r.out).not.toMatch(/Maximum call stack/);
    expect(r.out.length).toBeLessThan(2000);
  });
});

describe('every named file is capped and must be a regular file', () => {
  it.each([
    [['diagnose', '8080', '--from', '/dev/zero'], /cannot read snapshot \/dev\/zero: it is not a regular file/],
    [['ports', '--from', '/dev/zero'], /cannot read snapshot \/dev\/zero: it is not a regular file/],
    [['lint', 'c.yml', '--config', '/dev/zero'], /--config \/dev\/zero: it is not a regular file/],
    [['lint', 'c.yml', '--env-file', '/dev/zero'], /--env-file \/dev\/zero: it is not a regular file/],
    [['lint', '/dev/zero'], /\/dev\/zero: it is not a regular file .*name a compose file/],
    [['diagnose', '8080', '--from', '.'], /cannot read snapshot \.: it is a directory/],
  ])('%j → exit 2, says which input and why', (args, msg) => {
    const d = scratch();
    writeFileSync(join(d, 'c.yml'), 'services:\n  web:\n    image: nginx\n');
    const r = runCli(args as string[], { cwd: d, env: NO_DAEMON(d) });
    expect(r.err).toMatch(msg as RegExp);
    expect(r.code).toBe(2);
    noStack(r.err);
  });
  it('stdin from /dev/zero is capped: a clear error, not the memory filled', () => {
    const d = scratch();
    const r = runCli(['explain', '-'], { cwd: d, env: NO_DAEMON(d), input: '\0'.repeat(9 * 1024 * 1024) });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/on stdin: stdin is larger than the 8 MiB portdoctor reads/);
  });
  it('a snapshot over 64 MiB is refused by size', () => {
    const d = scratch();
    writeFileSync(join(d, 'big.json'), Buffer.alloc(65 * 1024 * 1024, 0x20));
    const r = runCli(['diagnose', '8080', '--from', 'big.json'], { cwd: d, env: NO_DAEMON(d) });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot read snapshot big.json: it is 65 MiB, larger than the 64 MiB portdoctor reads/);
  });
});

describe('lint --fix --write writes only regular files inside the project', () => {
  const clash =
    'services:\n  a:\n    image: x\n    ports: ["127.0.0.1:8080:80"]\n  b:\n    image: x\n    ports: ["127.0.0.1:8080:81"]\n';
  it('a compose.yml that is a symlink to a file outside: refused, the target unchanged', () => {
    const d = scratch();
    const out = scratch();
    writeFileSync(join(out, 'target.yml'), clash);
    mkdirSync(join(d, 'p'));
    symlinkSync(join(out, 'target.yml'), join(d, 'p', 'compose.yml'));
    const r = runCli(['lint', 'compose.yml', '--fix', '--write'], { cwd: join(d, 'p'), env: NO_DAEMON(d) });
    expect(r.err).toMatch(/--write compose.yml: it is a symbolic link; portdoctor does not write through one/);
    expect(r.code).toBe(2);
    expect(readFileSync(join(out, 'target.yml'), 'utf8')).toBe(clash);
  });
  it('an included file outside the project directory: refused, unchanged; one inside is written, mode kept', () => {
    const d = scratch();
    mkdirSync(join(d, 'outside'));
    mkdirSync(join(d, 'p'));
    writeFileSync(join(d, 'outside', 'inc.yml'), clash);
    writeFileSync(join(d, 'p', 'compose.yml'), 'include: [../outside/inc.yml]\nservices:\n  c:\n    image: x\n');
    const r = runCli(['lint', 'compose.yml', '--fix', '--write'], { cwd: join(d, 'p'), env: NO_DAEMON(d) });
    expect(r.err).toMatch(/--write \.\.\/outside\/inc.yml: it is outside the project directory/);
    expect(r.code).toBe(2);
    expect(readFileSync(join(d, 'outside', 'inc.yml'), 'utf8')).toBe(clash);
    writeFileSync(join(d, 'p', 'inside.yml'), clash, { mode: 0o640 });
    const w = runCli(['lint', 'inside.yml', '--fix', '--write'], { cwd: join(d, 'p'), env: NO_DAEMON(d) });
    expect(w.err).toMatch(/wrote inside.yml/);
    expect(readFileSync(join(d, 'p', 'inside.yml'), 'utf8')).not.toBe(clash);
    expect(statSync(join(d, 'p', 'inside.yml')).mode & 0o777).toBe(0o640);
  });
});
