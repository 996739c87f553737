// `portdoctor exporter`: /metrics on 127.0.0.1 by default. A scrape never starts a second
// collection while one runs, and reuses the last one for `cacheSeconds`.
import { createServer, type Server } from 'node:http';
import { readDaemonConfig } from '../collect/docker.js';
import { collectSnapshot } from '../collect/index.js';
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

export async function startExporter(
  o: ExporterOptions,
): Promise<{ server: Server; metrics: Metrics; address: string }> {
  const metrics = createMetrics();
  // only the daemon's pid is needed to find its log: no collection for that
  const dockerdPid = readDaemonConfig(o.io).dockerdPids[0] ?? null;
  const tail = await openLogTail(o.io, dockerdPid);
  metrics.logSource.set({ source: tail.source }, 1);
  for (const k of ['address_in_use', 'port_already_allocated', 'userland_proxy_failed'])
    metrics.logErrors.inc({ error: k }, 0);
  metrics.restarts.inc(0);
  const refresh = singleFlight(
    async () => {
      const t0 = performance.now();
      const snap = await collectSnapshot(o.io);
      observeSnapshot(metrics, snap, (performance.now() - t0) / 1000, Date.now() / 1000);
      observeLog(metrics, await tail.poll());
    },
    o.cacheSeconds * 1000,
    Date.now,
    o.staleWhileRevalidate ?? true,
  );
  void refresh(); // the first collection starts now, not at the first scrape
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
    });
  }
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/plain' });
      res.end(req.url === '/' ? 'portdoctor exporter: see /metrics\n' : 'not found\n');
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
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  o.signal.addEventListener('abort', () => server.close(), { once: true });
  const a = server.address();
  const address =
    typeof a === 'object' && a
      ? `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}`
      : `${o.host}:${o.port}`;
  return { server, metrics, address };
}
