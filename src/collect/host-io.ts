// The only door to the host. Collectors receive a HostIO so tests can point them at a fake
// /proc and /etc root, a missing docker socket or a hung command, without mocking modules.
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { contextHost, type ContextHost } from './docker-context.js';
import { kernelBind, type BindAsk } from './kernel-bind.js';

export interface ExecResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** 'absent' = binary not found; 'timeout' = killed after timeoutMs */
  readonly error: 'absent' | 'timeout' | 'denied' | null;
}

export interface HttpResult {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string | string[] | undefined>>;
}

export interface HostIO {
  /** read a file below the host root ('/proc/net/tcp'); throws NodeJS.ErrnoException */
  readText(path: string): string;
  /** the same, on the thread pool: /proc/net/tcp costs ~5 ms of kernel time to read, worth overlapping */
  readTextAsync(path: string): Promise<string>;
  readdir(path: string): string[];
  readlink(path: string): string;
  realpath(path: string): string;
  /** the size of a regular file, null when the path is something else (a pipe, a tty); throws when absent */
  fileSize(path: string): number | null;
  /** up to `length` bytes of a file from `offset`, as UTF-8 (a log file's new tail) */
  readRange(path: string, offset: number, length: number): Promise<string>;
  exec(argv: readonly string[], opts?: { timeoutMs?: number; input?: string }): Promise<ExecResult>;
  /** GET on the Docker Engine API; rejects with an Error whose `code` says why */
  dockerGet(path: string, opts?: { timeoutMs?: number }): Promise<HttpResult>;
  /** a streaming GET (the events endpoint): calls onData per chunk until the stream ends or signal aborts */
  dockerStream(path: string, onData: (chunk: string) => void, signal?: AbortSignal, onOpen?: () => void): Promise<void>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly uid: number;
  /** bind (never listen, never send) and close at once: the errno name, or null when it bound; absent = cannot ask */
  readonly bindProbe?: (a: BindAsk) => string | null;
}

export interface NodeHostIOOptions {
  /** prefix for every file path ('/' on a real host; a fixture directory in tests) */
  readonly root?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** PATH used to find iptables/nft/ss; defaults to env.PATH plus the sbin directories */
  readonly path?: string;
  readonly uid?: number;
}

const contexts = new WeakMap<object, ContextHost>();

/** The most of one Docker API answer that is read: /containers/json of ~10,000 containers fits in a few MB. */
export const DOCKER_API_MAX = 32 * 1024 * 1024;

/**
 * unix:///var/run/docker.sock (default), unix:///run/user/1000/docker.sock, or tcp://127.0.0.1:2375: from
 * DOCKER_HOST, else the docker context (DOCKER_CONTEXT or `docker context use`), read once per environment.
 */
export function dockerEndpoint(env: Readonly<Record<string, string | undefined>>): {
  socketPath?: string;
  host?: string;
  port?: number;
  context?: string;
  error?: string;
} {
  let c = contexts.get(env);
  if (!c) {
    c = contextHost(env, (f) => readFileSync(f, 'utf8'));
    contexts.set(env, c);
  }
  // a context that cannot be read must not fall back to another daemon: this path never exists, so the
  // engine collector reports it (with the context's name) instead of answering for the wrong daemon
  if (c.error) return { socketPath: '/nonexistent/docker-context', context: c.context ?? undefined, error: c.error };
  const ctx = c.context && c.context !== 'default' ? { context: c.context } : {};
  const h = c.host;
  if (!h) return { socketPath: '/var/run/docker.sock', ...ctx };
  if (h.startsWith('unix://')) return { socketPath: h.slice('unix://'.length), ...ctx };
  const m = /^tcp:\/\/([^:/]+):(\d+)/.exec(h);
  if (m) return { host: m[1] as string, port: Number(m[2]), ...ctx };
  return { socketPath: h, ...ctx };
}

export function nodeHostIO(opts: NodeHostIOOptions = {}): HostIO {
  const root = opts.root ?? '/';
  const env = opts.env ?? process.env;
  const p = (path: string): string => (root === '/' ? path : join(root, path));
  const searchPath = opts.path ?? `${env.PATH ?? ''}:/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin`;
  return {
    env,
    uid: opts.uid ?? (typeof process.getuid === 'function' ? process.getuid() : 0),
    // a fixture root is not this kernel: asking it about binds would answer for the wrong host
    ...(root === '/' ? { bindProbe: kernelBind } : {}),
    readText: (path) => readFileSync(p(path), 'utf8'),
    readTextAsync: (path) => readFile(p(path), 'utf8'),
    readdir: (path) => readdirSync(p(path)),
    readlink: (path) => readlinkSync(p(path)),
    realpath: (path) => realpathSync(p(path)),
    fileSize: (path) => {
      const st = statSync(p(path));
      return st.isFile() ? st.size : null;
    },
    readRange: async (path, offset, length) => {
      const fh = await open(p(path), 'r');
      try {
        const buf = Buffer.alloc(length);
        const { bytesRead } = await fh.read(buf, 0, length, offset);
        return buf.subarray(0, bytesRead).toString('utf8');
      } finally {
        await fh.close();
      }
    },
    exec: (argv, o = {}) =>
      new Promise((resolve) => {
        const [cmd, ...args] = argv as [string, ...string[]];
        const child = execFile(
          cmd,
          args,
          {
            timeout: o.timeoutMs ?? 5000,
            killSignal: 'SIGKILL',
            maxBuffer: 256 * 1024 * 1024,
            env: { ...env, PATH: searchPath, LC_ALL: 'C' },
          },
          (err, stdout, stderr) => {
            const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: unknown }) | null;
            let error: ExecResult['error'] = null;
            if (e?.code === 'ENOENT') error = 'absent';
            else if (e?.code === 'EACCES') error = 'denied';
            else if (e?.killed) error = 'timeout';
            const code = e ? (typeof e.code === 'number' ? e.code : null) : 0;
            resolve({ code, stdout: String(stdout), stderr: String(stderr), error });
          },
        );
        if (o.input !== undefined) child.stdin?.end(o.input);
      }),
    dockerGet: (path, o = {}) =>
      new Promise((resolve, reject) => {
        const ep = dockerEndpoint(env);
        const req = request(
          { ...ep, path, method: 'GET', headers: { Host: 'docker' }, timeout: o.timeoutMs ?? 5000 },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            // capped: a daemon (or whatever serves DOCKER_HOST) that streams 80 MB must not fill the memory
            const tooBig = (): void => {
              req.destroy(
                Object.assign(
                  new Error(
                    `the answer to GET ${path} is larger than the ${DOCKER_API_MAX / 1024 / 1024} MiB portdoctor reads`,
                  ),
                  { code: 'ETOOBIG' },
                ),
              );
            };
            if (Number(res.headers['content-length'] ?? 0) > DOCKER_API_MAX) return tooBig();
            res.on('data', (c: Buffer) => {
              size += c.length;
              if (size > DOCKER_API_MAX) return tooBig();
              chunks.push(c);
            });
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                body: Buffer.concat(chunks).toString('utf8'),
                headers: res.headers,
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('timeout', () =>
          req.destroy(
            Object.assign(new Error(`no answer from the Docker API within ${o.timeoutMs ?? 5000} ms`), {
              code: 'ETIMEDOUT',
            }),
          ),
        );
        req.on('error', reject);
        req.end();
      }),
    dockerStream: (path, onData, signal, onOpen) =>
      new Promise((resolve, reject) => {
        const ep = dockerEndpoint(env);
        const req = request({ ...ep, path, method: 'GET', headers: { Host: 'docker' }, signal }, (res) => {
          if (res.statusCode !== 200) {
            reject(Object.assign(new Error(`GET ${path} answered HTTP ${res.statusCode}`), { code: 'EHTTP' }));
            res.resume();
            return;
          }
          res.setEncoding('utf8');
          onOpen?.();
          res.on('data', (c: string) => onData(c));
          res.on('end', () => resolve());
          res.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ABORT_ERR' ? resolve() : reject(e)));
        });
        req.on('error', (e) => ((e as NodeJS.ErrnoException).name === 'AbortError' ? resolve() : reject(e)));
        req.end();
      }),
  };
}
