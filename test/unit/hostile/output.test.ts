import { spawnSync } from 'node:child_process';
// Host-controlled text in human output, and snapshot files of the wrong shape or size, spawned as
// users run it. A process's comm and argv, a container's name, a compose file's bytes: any of them can
// carry ESC sequences and a fake verdict line; each must reach the terminal escaped.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../src/model.js';
import { diagnose } from '../../../src/diagnose.js';
import { renderDiagnosis, shellQuote } from '../../../src/cli/render/text.js';
import { escapeControl } from '../../../src/util/escape.js';
import { saveSnapshot } from '../../../src/snapshot/io.js';
import { runCli } from '../../helpers/cli.js';
import { snapshotFromCapture } from '../../helpers/lab-capture.js';

const EVIL = '\x1b[2K\rport-free (certain): Nothing holds it.\x1b]0;pwned\x07\u202e';
const NO_DAEMON = { DOCKER_HOST: 'unix:///nonexistent/pd-test.sock' };
const scratch = () => mkdtempSync(join(tmpdir(), 'pd-hostile-'));
/** every raw control character or bidi override, except the newlines between lines */
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

function evilProcess(): Snapshot {
  const s = snapshotFromCapture('host-process');
  if (!s.processes.ok) throw new Error('capture has no processes');
  const value = s.processes.value.map((p) =>
    p.pid === 12052 ? { ...p, comm: `py${EVIL}`, argv: ['python3', `\n\nport-free (certain):${EVIL}`] } : p,
  );
  return { ...s, processes: { ...s.processes, value } };
}

function evilContainer(): Snapshot {
  const s = snapshotFromCapture('other-container');
  if (!s.containers.ok) throw new Error('capture has no containers');
  const value = s.containers.value.map((c) => ({ ...c, name: `web${EVIL}`, composeProject: `p${EVIL}` }));
  return { ...s, containers: { ...s.containers, value } };
}

describe('control characters in host text are escaped in human output', () => {
  it('escapeControl writes out C0, C1, DEL and bidi overrides and leaves plain text alone', () => {
    expect(escapeControl('a\x1b[2K\rb\n\t\x7f\x9b\u202e\u2066c')).toBe('a\\x1b[2K\\rb\\n\\t\\x7f\\x9b\\u202e\\u2066c');
    expect(escapeControl('python3 -m http.server 0.0.0.0:8080 ü 日本')).toBe(
      'python3 -m http.server 0.0.0.0:8080 ü 日本',
    );
    expect(shellQuote(['kill', `a${'\x1b'}b'c`])).toBe("kill $'a\\x1bb\\'c'");
  });
  it("a quoted argv pastes back byte for byte: bash's $'…' reads C1 characters as \\u, not one \\x byte", () => {
    const arg = `x\x1b\x9b\u202e\n'y`;
    const quoted = shellQuote(['printf', '%s', arg]);
    const r = spawnSync('bash', ['-c', quoted], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C.UTF-8' } });
    expect(r.stdout).toBe(arg);
  });
  it('diagnose: a process comm/argv with ESC, CR and a fake verdict line shows escaped, one verdict line', () => {
    const d = scratch();
    saveSnapshot(join(d, 's.json'), evilProcess());
    for (const args of [
      ['diagnose', '18101', '--from', join(d, 's.json')],
      ['ports', '--from', join(d, 's.json')],
    ]) {
      const r = runCli(args, { env: NO_DAEMON });
      expect(r.out).not.toMatch(RAW);
      expect(r.out).not.toMatch(/^port-free/m);
      expect(r.out).toContain('\\x1b[2K\\rport-free (certain)');
    }
  });
  it('a real process on this host whose comm and argv hold ESC, CR and a fake verdict: diagnose shows them escaped', async () => {
    // the listener takes the first free test port from a per-run start (other tests hold some) and prints it
    const start = 20000 + (process.pid % 9000);
    const child = spawn(
      process.execPath,
      [
        '-e',
        `process.title = '\\x1b[2K\\rport-free';
         const net = require('net');
         const tryPort = (p) => { const s = net.createServer(); s.once('error', () => tryPort(p + 1));
           s.listen(p, '127.0.0.1', () => console.log(p)); };
         tryPort(${start});`,
        `\n\nport-free (certain):${EVIL}`,
      ],
      { env: { ...process.env, PORTDOCTOR_TEST: '1' }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const port = await new Promise<number>((resolve, reject) => {
        child.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
        child.once('exit', () => reject(new Error('the test listener exited')));
      });
      const r = runCli(['diagnose', `127.0.0.1:${port}`, '--no-probe'], { env: NO_DAEMON });
      expect(r.out).toMatch(/^host-process/);
      expect(r.out).not.toMatch(RAW);
      expect(r.out).not.toMatch(/^port-free/m);
      expect(r.out).toContain('\\x1b[2K\\rport-free');
    } finally {
      child.kill('SIGKILL');
    }
  });
  it('diagnose and ports: a container name with ESC sequences shows escaped', () => {
    const d = scratch();
    saveSnapshot(join(d, 's.json'), evilContainer());
    const r = runCli(['diagnose', '18201', '--from', join(d, 's.json')], { env: NO_DAEMON });
    expect(r.code).toBe(1);
    expect(r.out).not.toMatch(RAW);
    expect(r.out).toContain('web\\x1b[2K\\rport-free (certain)');
    const p = runCli(['ports', '--from', join(d, 's.json')], { env: NO_DAEMON });
    expect(p.out).not.toMatch(RAW);
  });
  it('lint: compose bytes and a file name with ESC show escaped in the code frame', () => {
    const d = scratch();
    const name = 'c\x1b[2K.yml';
    writeFileSync(
      join(d, name),
      `services:\n  web:\n    image: nginx # \x1b]0;pwned\x07\r\n    ports: ["8080:80", "8080:81"] # \x1b[2K\rok\n`,
    );
    const r = runCli(['lint', name], { cwd: d, env: NO_DAEMON });
    expect(r.code).toBe(1);
    expect(r.out).not.toMatch(RAW);
    expect(r.out).toContain('c\\x1b[2K.yml');
    expect(r.out).toContain('# \\x1b[2K\\rok');
  });
  it('renderDiagnosis of 300,000 plan lines does not overflow the stack', () => {
    const s = snapshotFromCapture('host-process');
    const d = diagnose(s, { proto: 'tcp', ip: null, port: 18101 });
    const steps = Array.from({ length: 300_000 }, (_, i) => ({ argv: ['kill', String(i)], why: 'w', code: null }));
    const plan = { id: 'x', title: 't', safety: 'suggest', steps, disrupts: [], warnings: [] };
    expect(() => renderDiagnosis(d, [plan as never], 200)).not.toThrow();
  });
});

describe('a --from snapshot of the wrong shape names the field that is wrong', () => {
  const base = snapshotFromCapture('host-process');
  it.each([
    [
      'sockets value a string',
      { sockets: { ok: true, value: 'oops', source: 'x' } },
      /sockets\.value is "oops", expected a list/,
    ],
    [
      'processes value null',
      { processes: { ok: true, value: null, source: 'x' } },
      /processes\.value is null, expected a list/,
    ],
    ['a fact of {}', { engine: {} }, /fact "engine" is missing or malformed/],
    ['a failed fact without error', { nft: { ok: false, source: 'x' } }, /nft\.error is undefined, expected an object/],
    [
      'a null item in a list',
      { sockets: { ok: true, value: [null], source: 'x' } },
      /sockets\.value\[0\] is null, expected an object/,
    ],
    [
      'a port that is a string',
      {
        containers: {
          ok: true,
          value: [
            {
              ...(base.containers.ok ? base.containers.value[0] : {}),
              published: [{ proto: 'tcp', hostIp: '0.0.0.0', hostPort: '80', containerPort: 80 }],
            },
          ],
          source: 'x',
        },
      },
      /containers\.value\[0\]\.published\[0\]\.hostPort is "80", expected a port number/,
    ],
  ])('%s → exit 2, names the field, no internal error', (_what, patch, msg) => {
    const d = scratch();
    writeFileSync(join(d, 's.json'), JSON.stringify({ ...base, ...(patch as object) }));
    for (const cmd of [['diagnose', '18101'], ['ports'], ['trace', '18101']]) {
      const r = runCli([...cmd, cmd[0] === 'trace' ? '--snapshot' : '--from', join(d, 's.json')], { env: NO_DAEMON });
      expect(r.err).toMatch(msg);
      expect(r.err).toMatch(/make a new one with: portdoctor collect --out FILE|make one with/);
      expect(r.err).not.toMatch(/internal error|\n\s+at /);
      expect(r.code).toBe(2);
    }
  });
});
