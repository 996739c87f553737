import { nodeHostIO } from '../../collect/host-io.js';
import { ListenError, startExporter } from '../../exporter/server.js';
import { normalizeIp } from '../../util/ip.js';
import { EXIT } from '../exit.js';
import { numberOption, UsageError } from '../target.js';
import { keepYoungGenerationSmall } from '../small-heap.js';

/** a day at most: a longer cache is a mistake, not a setting (and 1e400 is Infinity) */
const MAX_CACHE_SECONDS = 86_400;

export function cacheSecondsOf(raw: string | undefined): number {
  if (raw === undefined) return 10;
  return numberOption(raw, {
    flag: '--cache-seconds',
    min: 0,
    max: MAX_CACHE_SECONDS,
    whole: false,
    what: `a number of seconds from 0 to ${MAX_CACHE_SECONDS}`,
    example: 10,
  });
}

export async function runExporter(o: { listen?: string; cacheSeconds?: string; events?: boolean }): Promise<number> {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(o.listen ?? '127.0.0.1:9468');
  const host = m ? normalizeIp(m[1] ?? m[2] ?? '') : null;
  const port = m ? Number(m[3]) : NaN;
  if (!m || !host || !(port > 0 && port < 65536))
    throw new UsageError(`--listen "${o.listen}" is not IP:PORT (e.g. 127.0.0.1:9468 or [::1]:9468)`);
  keepYoungGenerationSmall(); // every collection is of the whole host
  const cache = cacheSecondsOf(o.cacheSeconds);
  if (host === '0.0.0.0' || host === '::')
    process.stderr.write(
      `portdoctor exporter: warning: listening on every address (${host}): any host that can reach this one reads its ports, processes and container names; prefer 127.0.0.1 behind a scraper on the same host, or firewall the port\n`,
    );
  const ac = new AbortController();
  const stop = (): void => ac.abort();
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, stop);
  let address: string;
  try {
    ({ address } = await startExporter({
      io: nodeHostIO(),
      host,
      port,
      cacheSeconds: cache,
      signal: ac.signal,
      events: o.events !== false,
      log: (l) => process.stderr.write(`${l}\n`),
    }));
  } catch (e) {
    if (!(e instanceof ListenError)) throw e;
    ac.abort();
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.off(s, stop);
    process.stderr.write(`portdoctor exporter: ${e.message}\n`);
    // an address this host does not have, or may not use, is a bad --listen; a busy port is a conflict
    return e.code === 'EADDRINUSE' ? EXIT.found : EXIT.usage;
  }
  process.stderr.write(`portdoctor exporter: http://${address}/metrics\n`);
  await new Promise<void>((r) => ac.signal.addEventListener('abort', () => r(), { once: true }));
  return 0;
}
