// A Docker API that answers 80 MB (a fake daemon the test serves on its own unix socket, DOCKER_HOST
// pointing at it): portdoctor stops reading at its cap and says so, instead of filling the memory.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'pd-api-'));
const sock = join(dir, 'docker.sock');
let sent = 0;
const server: Server = createServer((req, res) => {
  if (req.url?.startsWith('/info')) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Api-Version': '1.41' });
    res.end(
      JSON.stringify({ ServerVersion: '20.10.24', SecurityOptions: [], OperatingSystem: 'fake', KernelVersion: '6' }),
    );
    return;
  }
  if (req.url?.startsWith('/containers/json')) {
    // 80 MB streamed in 1 MB chunks (never held whole here), chunked: no Content-Length to refuse early
    res.writeHead(200, { 'Content-Type': 'application/json', 'Api-Version': '1.41' });
    const item = JSON.stringify({ Id: 'a'.repeat(64), Names: ['/x'], State: 'exited', Ports: [] });
    const chunk = Buffer.from(
      `${Array.from({ length: Math.floor((1024 * 1024) / (item.length + 1)) }, () => item).join(',')},`,
    );
    let n = 0;
    res.write('[');
    const pump = (): void => {
      while (n < 80) {
        n++;
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end(`${item}]`);
    };
    res.on('error', () => {});
    req.socket.on('error', () => {});
    pump();
    return;
  }
  res.writeHead(404).end('{}');
});

const started = new Promise<void>((resolve) => server.listen(sock, resolve));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(BIN, args, {
      env: { ...process.env, NO_COLOR: '1', PORTDOCTOR_TEST: '1', DOCKER_HOST: `unix://${sock}` },
    });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    const t = setTimeout(() => c.kill('SIGKILL'), 60_000);
    c.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, out, err });
    });
  });
}

describe('Docker API answers are capped', () => {
  it('an 80 MB /containers/json is cut off at 32 MiB with a clear collection error, not read whole', async () => {
    await started;
    const r = await run(['diagnose', '20991', '--json', '--no-probe']);
    const j = JSON.parse(r.out) as { collectionErrors: { fact: string; message: string }[] };
    expect(j.collectionErrors.find((e) => e.fact === 'containers')?.message).toMatch(
      /the answer to GET \/containers\/json\?all=1 is larger than the 32 MiB portdoctor reads/,
    );
    expect(r.err).not.toMatch(/internal error|\n\s+at /);
    // the server stopped being read well before its 80 MB
    expect(sent).toBeLessThan(60 * 1024 * 1024);
  }, 90_000);
});
