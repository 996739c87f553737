// watch and the exporter against hostile input and long runs: no abort listener left per sleep, a
// malformed Docker event skipped (never fatal), the socket named when there is no daemon, numeric options
// checked, and the exporter exits when it cannot listen, answers only GET/HEAD, ignores a query string.
import { spawn, type ChildProcess } from 'node:child_process';
import { getEventListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeHostIO } from '../../src/collect/host-io.js';
import { startExporter } from '../../src/exporter/server.js';
import { parseEvent } from '../../src/watch/detector.js';
import { sleep, watch } from '../../src/watch/watcher.js';
import type { HostIO } from '../../src/collect/host-io.js';
import { BIN, ROOT, runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pd-daemons-'));
const children: ChildProcess[] = [];
const servers: Server[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const s of servers) s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** spawn the CLI as users do; resolves with what it printed when `until` matches stderr+stdout, or when it exits */
function runUntil(
  args: string[],
  env: NodeJS.ProcessEnv,
  until: RegExp,
  ms = 15_000,
): Promise<{ out: string; err: string; code: number | null; exited: boolean }> {
  return new Promise((resolve) => {
    const c = spawn(BIN, args, { env: { ...process.env, NO_COLOR: '1', PORTDOCTOR_TEST: '1', ...env } });
    children.push(c);
    let out = '';
    let err = '';
    let done = false;
    const finish = (exited: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(t);
      resolve({ out, err, code: c.exitCode, exited });
      if (!exited) c.kill('SIGTERM');
    };
    const t = setTimeout(() => finish(false), ms);
    const check = (): void => {
      if (until.test(out + err)) finish(false);
    };
    c.stdout.on('data', (d) => ((out += d), check()));
    c.stderr.on('data', (d) => ((err += d), check()));
    c.on('exit', () => setTimeout(() => finish(true), 50));
  });
}

/** a fake Docker Engine API on a unix socket in the test's own directory: /events sends `lines`, then stays open */
function fakeDockerd(name: string, lines: string[]): Promise<string> {
  const sock = join(dir, `${name}.sock`);
  const s = createHttpServer((req, res) => {
    if (req.url?.startsWith('/events')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      for (const l of lines) res.write(`${l}\n`);
      return; // kept open, as dockerd does
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"message":"no such thing"}');
  });
  servers.push(s);
  return new Promise((r) => s.listen(sock, () => r(sock)));
}

/** a port of the test range (20000-29999) nothing listens on now, on 0.0.0.0 (so on every address) */
async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 10000);
    const s = createNetServer();
    const ok = await new Promise<boolean>((r) => {
      s.once('error', () => r(false));
      s.listen(port, '0.0.0.0', () => r(true));
    });
    if (ok) {
      await new Promise<void>((r) => s.close(() => r()));
      return port;
    }
  }
  throw new Error('no free port in 20000-29999');
}

const good = (id: string, action: string, t: number) =>
  JSON.stringify({ Type: 'container', Action: action, Actor: { ID: id, Attributes: { name: id } }, timeNano: t });

describe('the watcher sleep', () => {
  it('leaves no abort listener behind once it has slept (it added one twice a second forever)', async () => {
    const ac = new AbortController();
    for (let i = 0; i < 30; i++) await sleep(1, ac.signal);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
    const p = sleep(60_000, ac.signal);
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(1);
    ac.abort();
    await p; // resolves at once on abort
    expect(getEventListeners(ac.signal, 'abort')).toHaveLength(0);
  });
});

describe('a burst of container creates', () => {
  it('many start probes asleep at once raise no MaxListenersExceededWarning, and leave no listener', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    const ac = new AbortController();
    const lines = Array.from({ length: 30 }, (_, i) => `${good(`c${i}`, 'create', i + 1)}\n`).join('');
    let streams = 0;
    const io = {
      env: { DOCKER_HOST: 'unix:///nonexistent/burst.sock' },
      uid: 0,
      dockerGet: async () => ({ status: 200, body: '{"State":{"Status":"created"}}' }),
      dockerStream: (_p: string, onData: (c: string) => void, signal?: AbortSignal, onOpen?: () => void) =>
        new Promise<void>((resolve) => {
          streams++;
          onOpen?.();
          onData(lines);
          signal?.addEventListener('abort', () => resolve(), { once: true });
        }),
    } as unknown as HostIO;
    const done = watch({ io, signal: ac.signal, emit: () => undefined, probeDelays: [80, 80] });
    await new Promise((r) => setTimeout(r, 400));
    ac.abort();
    await done;
    process.off('warning', onWarning);
    expect(streams).toBe(1);
    expect(warnings).not.toContain('MaxListenersExceededWarning');
    // only the stream's own listener (added by this fake) may remain
    expect(getEventListeners(ac.signal, 'abort').length).toBeLessThanOrEqual(1);
  });
});

describe('malformed Docker events', () => {
  it.each([
    ['timeNano is not a number', '{"Type":"container","Action":"die","Actor":{"ID":"a"},"timeNano":"x"}'],
    ['time is not a number', '{"Type":"container","Action":"die","Actor":{"ID":"a"},"time":"1e3x"}'],
    ['time is a fraction', '{"Type":"container","Action":"die","Actor":{"ID":"a"},"time":1.5}'],
    ['JSON null', 'null'],
    ['a JSON array', '[1,2]'],
    ['Actor is a string', '{"Type":"container","Action":"die","Actor":"x","timeNano":1}'],
    ['not JSON', 'garbage {'],
  ])('%s: skipped, not thrown', (_, line) => {
    expect(parseEvent(line)).toBeNull();
  });
  it('a well-formed event still parses, with nanoseconds beyond 2^53 kept', () => {
    expect(
      parseEvent(
        '{"Type":"container","Action":"die","Actor":{"ID":"a","Attributes":{"exitCode":"x"}},"timeNano":1700000000123456789}',
      ),
    ).toMatchObject({ id: 'a', action: 'die', exitCode: null, timeNano: 1700000000123456800n });
  });
  it('watch --json lives through a malformed event and reports the next ones', async () => {
    const sock = await fakeDockerd('malformed', [
      '{"Type":"container","Action":"start","Actor":{"ID":"bad"},"timeNano":"x"}',
      'not json at all',
      'null',
      good('c1', 'die', 1),
      good('c1', 'die', 2),
      good('c1', 'die', 3),
    ]);
    const r = await runUntil(
      ['watch', '--json', '--restart-threshold', '3'],
      { DOCKER_HOST: `unix://${sock}` },
      /restart-loop/,
    );
    expect(r.err).not.toMatch(/SyntaxError|Cannot convert|at .*\.js:\d+/);
    expect(r.exited).toBe(false);
    expect(r.out).toMatch(/"event":"restart-loop"/);
  });
  it('the exporter lives through a malformed event too', async () => {
    const sock = await fakeDockerd('malformed-exporter', [
      '{"Type":"container","Action":"die","Actor":{"ID":"bad"},"timeNano":"x"}',
      good('c2', 'die', 1),
    ]);
    const port = await freePort();
    // run until the time is up, not until "watching": the fake sends the malformed line as the stream
    // opens, so a crash on it would end the process well before (exited true)
    const r = await runUntil(
      ['exporter', '--listen', `127.0.0.1:${port}`],
      { DOCKER_HOST: `unix://${sock}` },
      /a line no exporter prints/,
      3000,
    );
    expect(r.err).toMatch(/"event":"watching"/);
    expect(r.exited).toBe(false);
    expect(r.err).not.toMatch(/SyntaxError|Cannot convert|internal error/);
  });
});

describe('watch with no daemon', () => {
  it('names the socket it tried and what failed, not only "dockerd restarted?"', async () => {
    const r = await runUntil(['watch', '--json'], { DOCKER_HOST: 'unix:///nonexistent/pd-test.sock' }, /disconnected/);
    const line = r.out.split('\n').find((l) => l.includes('"disconnected"')) ?? '';
    expect(line).toMatch(/unix:\/\/\/nonexistent\/pd-test\.sock/);
    expect(line).toMatch(/ENOENT/);
    expect(line).not.toMatch(/dockerd restarted\?/);
  });
});

describe('numeric options', () => {
  it.each([['abc'], ['0'], ['-1'], ['2.5'], ['1e400'], ['']])('watch --restart-threshold %j: exit 2, says why', (v) => {
    const r = runCli(['watch', '--restart-threshold', v], { env: { DOCKER_HOST: 'unix:///nonexistent/x.sock' } });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--restart-threshold ".*" is not a whole number of deaths from 1/);
    expect(r.out).toBe('');
  });
  it.each([['1e400'], ['Infinity'], ['NaN'], ['-1'], ['abc'], ['100000000']])(
    'exporter --cache-seconds %j: exit 2, says why',
    (v) => {
      // refused before it listens: the port is never bound
      const r = runCli(['exporter', '--listen', '127.0.0.1:29999', '--cache-seconds', v, '--no-events']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--cache-seconds ".*" is not a number of seconds from 0 to 86400/);
    },
  );
});

describe('the exporter when it cannot listen', () => {
  it('a port in use: a clear message and a non-zero exit, not "internal error" and running on', async () => {
    const port = await freePort();
    const holder = createNetServer();
    await new Promise<void>((r) => holder.listen(port, '127.0.0.1', r));
    try {
      const r = await runUntil(
        ['exporter', '--listen', `127.0.0.1:${port}`],
        { DOCKER_HOST: 'unix:///nonexistent/x.sock' },
        /(?!)/,
        10_000,
      );
      expect(r.exited).toBe(true);
      expect(r.code).toBe(1);
      expect(r.err).toContain(`cannot listen on 127.0.0.1:${port}: 127.0.0.1:${port} is already in use`);
      expect(r.err).not.toMatch(/internal error/);
    } finally {
      holder.close();
    }
  });
  it('an address this host does not have: exit 2 (a bad --listen)', async () => {
    const r = await runUntil(
      ['exporter', '--listen', '192.0.2.1:29999', '--no-events'],
      { DOCKER_HOST: 'unix:///nonexistent/x.sock' },
      /(?!)/,
      10_000,
    );
    expect(r.exited).toBe(true);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/192\.0\.2\.1 is not an address of this host/);
  });
  it('warns on stderr when it listens on every address', async () => {
    const port = await freePort();
    const r = await runUntil(
      ['exporter', '--listen', `0.0.0.0:${port}`, '--no-events'],
      { DOCKER_HOST: 'unix:///nonexistent/x.sock' },
      /\/metrics/,
    );
    expect(r.err).toMatch(/warning: listening on every address \(0\.0\.0\.0\)/);
  });
});

describe('the exporter answers only GET and HEAD, on /metrics with or without a query string', () => {
  const ask = (port: number, method: string, path: string) =>
    new Promise<{ status: number; allow: string | undefined; body: string }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, allow: res.headers.allow as string, body }));
      });
      req.on('error', reject);
      req.end();
    });
  it('405 for POST/PUT/DELETE, 200 for GET /metrics?x=1, headers only for HEAD', async () => {
    const ac = new AbortController();
    // a recorded host (no commands, no daemon): the scrape answers from it
    const io = nodeHostIO({
      root: join(ROOT, 'test/fixtures/hosts/linux'),
      env: { DOCKER_HOST: 'unix:///nonexistent/x.sock' },
      path: '/nonexistent',
    });
    const port = await freePort();
    await startExporter({ io, host: '127.0.0.1', port, cacheSeconds: 60, signal: ac.signal, events: false });
    try {
      for (const m of ['POST', 'PUT', 'DELETE', 'PATCH']) {
        const r = await ask(port, m, '/metrics');
        expect(r.status, m).toBe(405);
        expect(r.allow).toBe('GET, HEAD');
      }
      const q = await ask(port, 'GET', '/metrics?x=1');
      expect(q.status).toBe(200);
      expect(q.body).toMatch(/^# HELP portdoctor_/m);
      const h = await ask(port, 'HEAD', '/metrics');
      expect(h.status).toBe(200);
      expect(h.body).toBe('');
      expect((await ask(port, 'GET', '/nope?x')).status).toBe(404);
    } finally {
      ac.abort();
    }
  });
});
