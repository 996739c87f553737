// `portdoctor exporter`: /metrics on 127.0.0.1 by default. A scrape never starts a second
// collection while one runs, and reuses the last one for `cacheSeconds`.
import { createServer, type Server } from 'node:http';
import { readDaemonConfig } from '../collect/docker.js';
import { collectSnapshot } from '../collect/index.js';
import { trace } from '../util/trace.js';
import type { HostIO } from '../collect/host-io.js';
import { watch } from '../watch/watcher.js';
import { openLogLines, openLogTail } from '../collect/daemon-log.js';
import { createMetrics, observeLog, observeSnapshot, type Metrics } from './metrics.js';

export interface ExporterOptions {
  readonly io: HostIO;
  readonly host: string;
  readonly port: number;
  readonly cacheSeconds: number;
  readonly signal: AbortSignal;
  readonly events?: boolean;
  readonly log?: (s: string) => void;
  /** answer scrapes from the last collection while a refresh runs (default true) */
  readonly staleWhileRevalidate?: boolean;
}

/**
 * At most one collection at a time; a result is reused for `cacheMs`. With `staleWhileRevalidate`,
 * a scrape that finds the cache old is answered at once from it while ONE refresh runs behind it, so
 * a scrape costs a serialisation, not a collection (only the very first one waits).
 */
export function singleFlight(
  fn: () => Promise<void>,
  cacheMs: number,
  now: () => number = Date.now,
  staleWhileRevalidate = false,
): () => Promise<void> {
  let inFlight: Promise<void> | null = null;
  let last = -Infinity;
  let haveOne = false;
  return () => {
    if (now() - last < cacheMs) return Promise.resolve();
    if (!inFlight)
      inFlight = fn()
        .then(() => {
          haveOne = true;
        })
        .finally(() => {
          last = now();
          inFlight = null;
        });
    return staleWhileRevalidate && haveOne ? Promise.resolve() : inFlight;
  };
}

/** The exporter could not listen where it was told: the CLI turns this into a clear message and an exit code. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
  constructor(
    readonly code: string,
    readonly where: string,
    message: string,
  ) {
    super(message);
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      const why =
        e.code === 'EADDRINUSE'
          ? `${where} is already in use (run \`portdoctor diagnose ${port}\` to see who holds it); choose another --listen`
          : e.code === 'EADDRNOTAVAIL'
            ? `${host} is not an address of this host; choose one it has (127.0.0.1, ::1, or an interface's address)`
            : e.code === 'EACCES'
              ? `not allowed to listen on ${where} (ports below 1024 need root or CAP_NET_BIND_SERVICE)`
              : `${e.code ?? 'error'}: ${e.message}`;
      reject(new ListenError(e.code ?? 'EUNKNOWN', where, `cannot listen on ${where}: ${why}`));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** the path of a request target, without its query string (`/metrics?x=1` is `/metrics`) */
function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.search(/[?#]/);
  return q < 0 ? u : u.slice(0, q);
}

export async function startExporter(
  o: ExporterOptions,
): Promise<{ server: Server; metrics: Metrics; address: string }> {
  const metrics = createMetrics();
  // a scrape that comes before the collector is set up waits for it
  let setUp: () => void = () => undefined;
  const ready = new Promise<void>((r) => (setUp = r));
  let refresh: () => Promise<void> = () => ready.then(() => refresh());
  const server = createServer((req, res) => {
    // a read-only endpoint: anything but GET and HEAD is refused (HEAD answers the headers, no body)
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain', allow: 'GET, HEAD' });
      res.end('method not allowed: use GET\n');
      return;
    }
    const path = pathOf(req.url);
    if (path !== '/metrics') {
      res.writeHead(path === '/' ? 200 : 404, { 'content-type': 'text/plain' });
      res.end(path === '/' ? 'portdoctor exporter: see /metrics\n' : 'not found\n');
      return;
    }
    refresh()
      .then(() => metrics.registry.metrics())
      .then((body) => {
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(body);
      })
      .catch((e: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`collection failed: ${e.message}\n`);
      });
  });
  // listen before anything else starts: when the address cannot be had, nothing keeps the process alive
  await listen(server, o.host, o.port);
  o.signal.addEventListener('abort', () => server.close(), { once: true });

  // only the daemon's pid is needed to find its log: no collection for that
  const dockerdPid = readDaemonConfig(o.io).dockerdPids[0] ?? null;
  const tail = await openLogTail(o.io, dockerdPid);
  metrics.logSource.set({ source: tail.source }, 1);
  for (const k of ['address_in_use', 'port_already_allocated', 'userland_proxy_failed'])
    metrics.logErrors.inc({ error: k }, 0);
  metrics.restarts.inc(0);
  refresh = singleFlight(
    async () => {
      const t0 = performance.now();
      const snap = await collectSnapshot(o.io);
      observeSnapshot(metrics, snap, (performance.now() - t0) / 1000, Date.now() / 1000);
      trace('metrics observed');
      observeLog(metrics, await tail.poll());
    },
    o.cacheSeconds * 1000,
    Date.now,
    o.staleWhileRevalidate ?? true,
  );
  setUp();
  void refresh().catch(() => undefined); // the first collection starts now, not at the first scrape
  if (o.events !== false) {
    const died = new Set<string>();
    const logLines = await openLogLines(o.io, dockerdPid);
    void watch({
      io: o.io,
      signal: o.signal,
      emit: (l) => o.log?.(JSON.stringify(l)),
      logLines,
      onEvent: (e) => {
        if (e.action === 'die') died.add(e.id);
        else if (e.action === 'start' && died.has(e.id)) metrics.restarts.inc();
        else if (e.action === 'destroy') died.delete(e.id);
      },
      onStartFailure: (stage) => metrics.startFailures.inc({ stage }),
    }).catch((e: Error) => o.log?.(`portdoctor exporter: the events watcher stopped: ${e.message}`));
  }
  const a = server.address();
  const address =
    typeof a === 'object' && a
      ? `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`
      : `${o.host}:${o.port}`;
  return { server, metrics, address };
}
