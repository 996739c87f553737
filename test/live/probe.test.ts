// The bind probe against the engine itself: each shape is built on the host, `portdoctor diagnose`
// runs first, then a real `docker run -p` (labelled test container) on the same port, and the
// expectation is what that engine did in this run: refused → the holder we started; published →
// port-free. Runs on whichever engine test-env started (20.10 or 28.5, see scripts/test-env.sh).
// PORTDOCTOR_RECORD_PROBE=DIR also writes each scenario's snapshot and outcome there (the source of
// test/fixtures/probe/, replayed by test/unit/probe.test.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnoseJson, dockerReady, Lab, portBlock, portdoctor, sh } from './helpers.js';

// the engine test-env started: its socket and CLI (engine.env is written by scripts/test-env.sh)
const ENV_FILE = '/run/portdoctor-test/engine.env';
if (existsSync(ENV_FILE)) {
  for (const line of readFileSync(ENV_FILE, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === 'DOCKER_HOST' && m[2]) process.env.DOCKER_HOST = m[2];
    if (m[1] === 'PORTDOCTOR_TEST_ENGINE_PATH' && m[2]) process.env.PATH = `${m[2]}:${process.env.PATH ?? ''}`;
    if (m[1] === 'PORTDOCTOR_TEST_ENGINE') process.env.PORTDOCTOR_TEST_ENGINE = m[2];
  }
}

const P = portBlock(40);
const notReady = dockerReady();
const lab = new Lab();
const procs: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const p of procs.splice(0)) p.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  lab.cleanup();
});

const version = (): string => sh(['docker', 'version', '--format', '{{.Server.Version}}']).stdout.trim();

/** a test process (PORTDOCTOR_TEST=1) that runs `argv` and prints a line once its socket is set up */
async function start(argv: string[], comm?: string): Promise<number> {
  let exe = argv[0] as string;
  if (comm) {
    // the kernel names a process after the file it executed: a symlink gives it `comm`
    const d = mkdtempSync(join(tmpdir(), 'pdprobe-'));
    dirs.push(d);
    const real = sh(['sh', '-c', `command -v ${exe}`]).stdout.trim();
    exe = join(d, comm);
    symlinkSync(real, exe);
  }
  const child = spawn(exe, argv.slice(1), {
    env: { ...process.env, PORTDOCTOR_TEST: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  procs.push(child);
  await new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += String(d)));
    child.stdout?.once('data', () => resolve());
    child.once('exit', (c) => reject(new Error(`${argv[0]} exited ${c}: ${err}`)));
  });
  return child.pid as number;
}

/** perl binds a TCP socket with or without SO_REUSEADDR and never listens (perl's default sets no options) */
const boundTcp = (ip: string, port: number, reuse: boolean): Promise<number> =>
  start([
    'perl',
    '-MSocket',
    '-e',
    `socket(S, PF_INET, SOCK_STREAM, 0) or die "socket: $!";${reuse ? ' setsockopt(S, SOL_SOCKET, SO_REUSEADDR, 1) or die "sockopt: $!";' : ''} bind(S, pack_sockaddr_in(${port}, inet_aton("${ip}"))) or die "bind: $!"; $| = 1; print "ready\\n"; sleep 1000000;`,
  ]);

/** a UDP socket with SO_REUSEADDR, as systemd-resolved's stub listener sets it */
const stubUdp = (ip: string, port: number): Promise<number> =>
  start(
    [
      'node',
      '-e',
      `const s=require('dgram').createSocket({type:'udp4',reuseAddr:true});s.bind(${port},${JSON.stringify(ip)},()=>console.log('ready'));setInterval(()=>{},1e6)`,
    ],
    'systemd-resolved',
  );

/** leave a TIME-WAIT on ip:port: the server side closes first, then the listener goes away */
async function timeWait(ip: string, port: number): Promise<void> {
  const srv = createServer((c) => c.destroySoon());
  await new Promise<void>((r) => srv.listen({ host: ip, port }, r));
  await new Promise<void>((resolve, reject) => {
    const c = connect({ host: ip, port }, () => undefined);
    c.on('close', () => resolve());
    c.on('error', reject);
    c.resume();
  });
  await new Promise<void>((r) => srv.close(() => r()));
  const tw = sh(['ss', '-H', '-tan', 'state', 'time-wait', `sport = :${port}`]).stdout.trim();
  expect(tw, 'a TIME-WAIT on the port').not.toBe('');
}

/** what the engine did: `docker run -p spec` (its stderr when refused) */
function engineOutcome(spec: string): { ok: true } | { ok: false; stderr: string } {
  try {
    lab.run(['-p', spec]);
    return { ok: true };
  } catch (e) {
    return { ok: false, stderr: (e as { stderr?: string }).stderr ?? String(e) };
  }
}

const recordDir = (): string | null =>
  process.env.PORTDOCTOR_RECORD_PROBE
    ? join(process.env.PORTDOCTOR_RECORD_PROBE, `docker-${version().split('+')[0]}`)
    : null;

/** the host as diagnose saw it, before docker run changes it */
function recordSnapshot(name: string, port: number): void {
  const d = recordDir();
  if (!d) return;
  mkdirSync(d, { recursive: true });
  const r = portdoctor(['collect', '--out', join(d, `${name}.snapshot.json`), '--port', String(port)]);
  expect(r.code).toBe(0);
}

/** what the engine did with it, and the verdict that matches (replayed by test/unit/probe.test.ts) */
function recordOutcome(
  name: string,
  o: { port: number; proto: string; run: ReturnType<typeof engineOutcome>; cause: string; pid?: number },
): void {
  const d = recordDir();
  if (!d) return;
  const e = { engine: version(), ...o, run: o.run.ok ? 'published' : o.run.stderr.trim() };
  writeFileSync(join(d, `${name}.expect.json`), `${JSON.stringify(e, null, 1)}\n`);
}

describe.skipIf(notReady !== null)(
  `bind probe against the engine's own bind${notReady ? ` (skipped: ${notReady})` : ''}`,
  () => {
    it('UDP beside a 127.0.0.53-style stub with SO_REUSEADDR: the verdict is what the engine did (20.10 refuses: resolved-stub; 28 publishes: free)', async () => {
      const port = P(1);
      const pid = await stubUdp('127.0.0.53', port);
      const d = diagnoseJson(`${port}/udp`);
      const np = diagnoseJson(`${port}/udp`, ['--no-probe']);
      recordSnapshot('udp-beside-stub', port);
      const out = engineOutcome(`${port}:53/udp`);
      recordOutcome('udp-beside-stub', {
        port,
        proto: 'udp',
        run: out,
        cause: out.ok ? 'port-free' : 'resolved-stub',
        pid,
      });
      const v = version();
      if (out.ok) {
        expect(d.json.verdict.cause).toBe('port-free');
        expect(d.code).toBe(0);
        expect(v).toMatch(/^28\./); // 28.x sets SO_REUSEADDR on UDP too (src/engines/docker-modern.ts)
      } else {
        expect(out.stderr).toMatch(/address already in use/);
        expect(d.json.verdict.cause).toBe('resolved-stub');
        expect(d.json.verdict.confidence).toBe('certain');
        expect(d.json.holders[0]).toMatchObject({ kind: 'process', pid });
        expect(v).not.toMatch(/^28\./);
      }
      const probe = d.json.findings.find((f) => f.rule === 'bind-probe') as { evidence?: Array<{ says: string }> };
      expect(probe?.evidence?.map((e) => e.says).join('\n')).toMatch(
        /bind 0\.0\.0\.0:\d+\/udp as (docker-proxy|dockerd)/,
      );
      // without the probe the model alone cannot tell whether the stub set SO_REUSEADDR: where the
      // engine sets it too, it never says `certain`; where the engine does not, the stub refuses it
      if (out.ok) expect(np.json.verdict.confidence).not.toBe('certain');
      else expect(np.json.verdict).toMatchObject({ cause: 'resolved-stub', confidence: 'certain' });
    });

    it('a bound, non-listening TCP socket without SO_REUSEADDR on 127.0.0.1:P refuses the publish: host-process naming its pid', async () => {
      const port = P(2);
      const pid = await boundTcp('127.0.0.1', port, false);
      expect(sh(['ss', '-H', '-ltn', `sport = :${port}`]).stdout.trim(), 'not a listener').toBe('');
      const d = diagnoseJson(String(port));
      recordSnapshot('bound-no-reuseaddr', port);
      const out = engineOutcome(`${port}:80`);
      recordOutcome('bound-no-reuseaddr', { port, proto: 'tcp', run: out, cause: 'host-process', pid });
      expect(out.ok, 'the engine refuses it').toBe(false);
      if (!out.ok) expect(out.stderr).toMatch(/address already in use/);
      expect(d.json.verdict.cause).toBe('host-process');
      expect(d.json.holders[0]).toMatchObject({ kind: 'process', pid, comm: 'perl' });
      expect(d.code).toBe(1);
    });

    it('the same socket with SO_REUSEADDR shares the port with the engine: free, and the engine publishes', async () => {
      const port = P(3);
      await boundTcp('127.0.0.1', port, true);
      const d = diagnoseJson(String(port));
      recordSnapshot('bound-reuseaddr', port);
      const out = engineOutcome(`${port}:80`);
      recordOutcome('bound-reuseaddr', { port, proto: 'tcp', run: out, cause: 'port-free' });
      expect(out).toEqual({ ok: true });
      expect(d.json.verdict.cause).toBe('port-free');
      expect(d.code).toBe(0);
    });

    it('a TIME-WAIT left on 127.0.0.1:P does not refuse the publish: free, and the engine publishes', async () => {
      const port = P(4);
      await timeWait('127.0.0.1', port);
      const d = diagnoseJson(String(port));
      recordSnapshot('time-wait', port);
      const out = engineOutcome(`${port}:80`);
      recordOutcome('time-wait', { port, proto: 'tcp', run: out, cause: 'port-free' });
      expect(out).toEqual({ ok: true });
      expect(d.json.verdict.cause).toBe('port-free');
      expect(d.code).toBe(0);
    });
  },
);
