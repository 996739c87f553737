// Command-line conventions, on the built CLI: exit codes 0-4 and --help for each command, quiet exit on a
// closed pipe, no truncation off a terminal, wrapping on one, colour switches, stdin prompts, `lint -` and
// `lint DIR`, and the docker context.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contextHost } from '../../src/collect/docker-context.js';
import type { Snapshot } from '../../src/model.js';
import { saveSnapshot } from '../../src/snapshot/io.js';
import { BIN, ROOT, runCli, runInTty, runIntoClosedPipe } from '../helpers/cli.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';

const dir = mkdtempSync(join(tmpdir(), 'pdconv-'));
const snap = (name: string, s: Snapshot): string => {
  const f = join(dir, `${name}.json`);
  saveSnapshot(f, s);
  return f;
};
const other = snap('other-container', snapshotFromCapture('other-container'));
const orphan = snap('orphan', snapshotFromCapture('orphan-dnat/before-run'));
// 18601: a 97-character owners cell that ends with the DNAT rule
const killed = snap('killed-proxy', snapshotFromCapture('killed-proxy'));
// the same host with the engine unreadable: a free port there cannot be called free
const base = snapshotFromCapture('other-container');
const blind = snap('blind', {
  ...base,
  engine: {
    ok: false,
    error: { code: 'absent', message: 'no Docker daemon answers on /nonexistent.sock' },
    source: 'test',
  },
  containers: {
    ok: false,
    error: { code: 'absent', message: 'no Docker daemon answers on /nonexistent.sock' },
    source: 'test',
  },
});
const BIND = 'Bind for 0.0.0.0:8080 failed: port is already allocated';
const noStack = (s: string): void => expect(s).not.toMatch(/\n\s+at .*:\d+:\d+|Error: write EPIPE|node:events/);
const composeFile = (port: number): string =>
  `services:\n  web:\n    image: nginx\n    ports:\n      - "${port}:80"\n  api:\n    image: nginx\n    ports:\n      - "${port}:3000"\n`;

describe('exit codes: 0 nothing wrong, 1 conflict, 2 usage, 3 could not decide, 4 internal error', () => {
  it.each([
    ['diagnose port-free', ['diagnose', '18201/udp', '--from', other], 0],
    ['diagnose conflict', ['diagnose', '18201', '--from', other], 1],
    ['diagnose bad port', ['diagnose', '70000'], 2],
    ['diagnose unknown', ['diagnose', '18299', '--from', blind], 3],
    ['explain conflict', ['explain', BIND], 1],
    ['explain look-alike', ['explain', 'listen tcp 10.9.9.9:80: bind: cannot assign requested address'], 0],
    ['explain unrecognised', ['explain', 'all good'], 3],
    ['ports not ok', ['ports', '--from', orphan], 1],
    ['ports bad option', ['ports', '--frobnicate'], 2],
    ['unknown command', ['frobnicate'], 2],
  ])('%s → %i', (_what, args, code) => {
    const r = runCli(args as string[]);
    expect(r.code).toBe(code);
    noStack(r.err);
  });
  it('ports on an incomplete host is 3 when nothing seen is wrong', () => {
    const r = runCli(['ports', '--from', blind, '--port', '1']);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/incomplete: could not read containers/);
  });
  it('an internal error exits 4 and says it changed nothing', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(
      broken,
      JSON.stringify({ ...JSON.parse(readFileSync(other, 'utf8')), sockets: { ok: true, value: 5, source: 'x' } }),
    );
    const r = runCli(['diagnose', '18201', '--from', broken]);
    if (r.code === 2)
      expect(r.err).toMatch(/sockets/); // a stricter snapshot check may call it bad input
    else {
      expect(r.code).toBe(4);
      expect(r.err).toMatch(/internal error: .*\n\(please report it .*nothing on the host was changed\)/);
    }
  });
  it('an installed copy without its bundle exits 4 with what to do', () => {
    const d = mkdtempSync(join(tmpdir(), 'pdconv-bin-'));
    mkdirSync(join(d, 'bin'));
    copyFileSync(BIN, join(d, 'bin', 'portdoctor'));
    const r = spawnSync(join(d, 'bin', 'portdoctor'), ['--version'], { encoding: 'utf8' });
    expect(r.status).toBe(4);
    expect(r.stderr).toMatch(/no dist\/cli\.js.*reinstall the package/);
  });
});

describe('--help', () => {
  const commands = ['diagnose', 'explain', 'fix', 'lint', 'ports', 'watch', 'exporter', 'collect'];
  it.each(commands)('%s --help lists every exit code and an example', (c) => {
    const r = runCli([c, '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\nExamples:\n {2}\$ (sudo )?portdoctor /);
    expect(r.out).toMatch(/\nExit codes:\n/);
    for (const code of [0, 2, 4]) expect(r.out).toMatch(new RegExp(`\\n {2}${code} {2}\\S`));
  });
  it('the top-level help has the exit-code table, examples and the environment; bare portdoctor prints it on stdout', () => {
    const r = runCli([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Exit codes[\s\S]*\n {2}3 {2}could not decide[\s\S]*\n {2}4 {2}internal error/);
    expect(r.out).toMatch(/DOCKER_CONTEXT/);
    expect(r.out).toMatch(/Examples:/);
  });
});

describe('pipes: a reader that goes away ends portdoctor quietly', () => {
  const noDaemon = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
  const cases: Array<{ name: string; args: string[]; input?: string; env?: NodeJS.ProcessEnv }> = [
    { name: 'diagnose --from', args: ['diagnose', '18201', '--from', other] },
    { name: 'diagnose --json', args: ['diagnose', '18201', '--from', other, '--json'] },
    { name: 'diagnose (this host)', args: ['diagnose', '29986'], env: noDaemon },
    { name: 'explain', args: ['explain', BIND] },
    { name: 'explain - (a long log)', args: ['explain', '-'], input: `${BIND}\n`.repeat(2000) },
    { name: 'explain --json', args: ['explain', BIND, '--json'] },
    { name: 'fix (plan)', args: ['fix', '29986'], env: noDaemon },
    { name: 'fix --json', args: ['fix', '29986', '--json'], env: noDaemon },
    { name: 'ports', args: ['ports', '--from', orphan] },
    { name: 'ports --json', args: ['ports', '--from', orphan, '--json'] },
    { name: 'lint', args: ['lint', '-'], input: composeFile(20080) },
    { name: 'lint --format sarif', args: ['lint', '--format', 'sarif', '-'], input: composeFile(20080) },
    { name: 'lint --format github', args: ['lint', '--format', 'github', '-'], input: composeFile(20080) },
    { name: 'watch --json (no daemon)', args: ['watch', '--json'], env: noDaemon },
    { name: '--help', args: ['--help'] },
    { name: 'fix --help', args: ['fix', '--help'] },
    { name: '--version', args: ['--version'] },
    { name: 'completion bash', args: ['completion', 'bash'] },
    { name: 'docker-cli-plugin-metadata', args: ['docker-cli-plugin-metadata'] },
  ];
  it.each(cases)('$name', async ({ args, input, env }) => {
    const r = await runIntoClosedPipe(args, { input, env });
    noStack(r.err);
    expect(r.signal).toBeNull();
    expect([0, 1, 3]).toContain(r.code);
  });
  it('through a real shell pipe into head -1', () => {
    writeFileSync(join(dir, 'many.txt'), `${BIND}\n`.repeat(5000));
    const r = spawnSync(
      'bash',
      [
        '-c',
        'set -o pipefail; "$B" ports --from "$O" | head -1; echo "rc=$?"; "$B" explain - < "$F" | head -1; echo "rc=$?"',
      ],
      { encoding: 'utf8', env: { ...process.env, B: BIN, O: orphan, F: join(dir, 'many.txt') } },
    );
    noStack(r.stderr);
    expect(r.stdout).toMatch(/^PROTO\s+ADDRESS[^\n]*\nrc=1\nport-allocator[^\n]*\nrc=1\n$/);
  });
});

describe('width', () => {
  it('piped, the owners column is never shortened', () => {
    const r = runCli(['ports', '--from', killed, '--conflicts']);
    expect(r.out).not.toMatch(/…/);
    expect(r.out).toMatch(
      /python3\[30278\], container portlab-killed-proxy-victim, iptables-nft nat\/DOCKER DNAT→172\.17\.0\.2:80\n/,
    );
  });
  it('on an 80-column terminal, ports shortens owners unless --no-trunc', () => {
    const t = runInTty(['ports', '--from', killed, '--conflicts'], 80);
    const lines = t.out.split('\n').filter((l) => l.trim());
    expect(lines.some((l) => l.includes('…'))).toBe(true);
    expect(Math.max(...lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, '').length))).toBeLessThanOrEqual(80);
    const full = runInTty(['ports', '--from', killed, '--conflicts', '--no-trunc'], 80);
    expect(full.out).not.toMatch(/…/);
    expect(full.out).toMatch(/DNAT→172\.17\.0\.2:80/);
  });
  it('on an 80-column terminal, diagnose and explain wrap at spaces and never break a word', () => {
    for (const args of [
      ['diagnose', '18201', '--from', other],
      ['explain', 'Error starting userland proxy: listen tcp4 0.0.0.0:8080: bind: address already in use'],
    ]) {
      const plain = runCli(args).out;
      const tty = runInTty([...args, '--no-color'], 80).out;
      const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);
      expect(words(tty)).toEqual(words(plain));
      for (const l of tty.split('\n'))
        if (!/^\s*(\$|→) /.test(l.trim() ? l : 'x')) expect(l.length).toBeLessThanOrEqual(80);
      expect(plain.split('\n').some((l) => l.length > 80)).toBe(true);
    }
  });
});

describe('colour', () => {
  const ESC = /\x1b\[/;
  it('none when piped; FORCE_COLOR=1 forces it; --no-color wins over FORCE_COLOR; NO_COLOR on a terminal', () => {
    const args = ['diagnose', '18201', '--from', other];
    expect(runCli(args, { env: { NO_COLOR: '' } }).out).not.toMatch(ESC);
    expect(runCli(args, { env: { NO_COLOR: '', FORCE_COLOR: '1' } }).out).toMatch(ESC);
    expect(runCli([...args, '--no-color'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } }).out).not.toMatch(ESC);
    expect(runCli(['--no-color', ...args], { env: { NO_COLOR: '', FORCE_COLOR: '1' } }).out).not.toMatch(ESC);
    expect(runInTty(args, 120, { env: { NO_COLOR: '' } }).out).toMatch(ESC);
    expect(runInTty(args, 120, { env: { NO_COLOR: '1' } }).out).not.toMatch(ESC);
    expect(runCli(['lint', '-'], { input: composeFile(20081), env: { NO_COLOR: '', FORCE_COLOR: '1' } }).out).toMatch(
      ESC,
    );
  });
});

describe('stdin', () => {
  it('explain - and diagnose --error - say what to paste on a terminal', () => {
    const r = runInTty(['explain', '-'], 100, { input: '' });
    expect(r.out).toMatch(/paste the error text.*Ctrl-D/);
    const d = runInTty(['diagnose', '--error', '-', '--from', other], 100, { input: '' });
    expect(d.out).toMatch(/paste the error you saw.*Ctrl-D/);
  });
  it('piped, nothing is prompted', () => {
    const r = runCli(['explain', '-'], { input: BIND });
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
  });
});

describe('lint inputs', () => {
  it('lint - reads a compose file from stdin', () => {
    const r = runCli(['lint', '--json', '-'], { input: composeFile(20082), cwd: dir });
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(JSON.stringify(j)).toMatch(/duplicate-host-port/);
    expect(JSON.stringify(j)).toMatch(/<stdin>/);
  });
  it('lint DIR picks the compose file docker compose would, plus its override', () => {
    const p = join(dir, 'proj');
    mkdirSync(p);
    writeFileSync(
      join(p, 'docker-compose.yml'),
      'services:\n  web:\n    image: nginx\n    ports:\n      - "20083:80"\n',
    );
    writeFileSync(
      join(p, 'docker-compose.override.yml'),
      'services:\n  api:\n    image: nginx\n    ports:\n      - "20083:80"\n',
    );
    const r = runCli(['lint', p, '--json']);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/docker-compose\.override\.yml/);
    expect(r.out).toMatch(/duplicate-host-port/);
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const e = runCli(['lint', empty]);
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/is a directory with no compose file \(looked for compose\.yaml, compose\.yml/);
  });
  it('--json is --format json; both disagreeing is a usage error', () => {
    const a = runCli(['lint', '--json', '-'], { input: composeFile(20084), cwd: dir });
    const b = runCli(['lint', '--format', 'json', '-'], { input: composeFile(20084), cwd: dir });
    expect(a.out).toBe(b.out);
    expect(runCli(['lint', '--json', '--format', 'sarif', '-'], { input: composeFile(20084) }).code).toBe(2);
  });
});

describe('docker context', () => {
  const cfg = (current: string | null, contexts: Record<string, string>): string => {
    const d = mkdtempSync(join(tmpdir(), 'pdconv-docker-'));
    if (current !== null) writeFileSync(join(d, 'config.json'), JSON.stringify({ currentContext: current }));
    for (const [name, host] of Object.entries(contexts)) {
      const m = join(d, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
      mkdirSync(m, { recursive: true });
      writeFileSync(
        join(m, 'meta.json'),
        JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host } } }),
      );
    }
    return d;
  };
  const read = (f: string): string => readFileSync(f, 'utf8');
  it('DOCKER_HOST wins, then DOCKER_CONTEXT, then the current context; default is the default socket', () => {
    const d = cfg('rootless', { rootless: 'unix:///run/user/1000/docker.sock', other: 'tcp://127.0.0.1:2375' });
    expect(contextHost({ DOCKER_CONFIG: d }, read).host).toBe('unix:///run/user/1000/docker.sock');
    expect(contextHost({ DOCKER_CONFIG: d, DOCKER_CONTEXT: 'other' }, read).host).toBe('tcp://127.0.0.1:2375');
    expect(contextHost({ DOCKER_CONFIG: d, DOCKER_HOST: 'unix:///x.sock', DOCKER_CONTEXT: 'other' }, read).host).toBe(
      'unix:///x.sock',
    );
    expect(contextHost({ DOCKER_CONFIG: d, DOCKER_CONTEXT: 'default' }, read).host).toBeNull();
    expect(contextHost({ DOCKER_CONFIG: cfg(null, {}) }, read)).toMatchObject({ host: null, error: null });
    expect(contextHost({ DOCKER_CONFIG: d, DOCKER_CONTEXT: 'gone' }, read).error).toMatch(
      /docker context "gone" not found/,
    );
    expect(contextHost({ HOME: join(d, 'nohome') }, read)).toMatchObject({ host: null, error: null });
  });
  it('diagnose asks the daemon of the current context, and names it', () => {
    const d = cfg('lab', { lab: `unix://${join(dir, 'no-such-daemon.sock')}` });
    const r = runCli(['diagnose', '29985', '--json'], { env: { DOCKER_CONFIG: d, DOCKER_HOST: '' } });
    const j = JSON.parse(r.out);
    const e = j.collectionErrors.find((x: { fact: string }) => x.fact === 'engine');
    expect(e.message).toContain(`${join(dir, 'no-such-daemon.sock')} (docker context lab)`);
    expect(r.code).toBe(3);
    const gone = runCli(['diagnose', '29985', '--json'], {
      env: { DOCKER_CONFIG: d, DOCKER_CONTEXT: 'gone', DOCKER_HOST: '' },
    });
    expect(JSON.stringify(JSON.parse(gone.out).collectionErrors)).toMatch(/docker context \\"gone\\" not found/);
  });
});

void ROOT;
