import { nodeHostIO } from '../../collect/host-io.js';
import { startExporter } from '../../exporter/server.js';
import { normalizeIp } from '../../util/ip.js';
import { UsageError } from '../target.js';

export async function runExporter(o: { listen?: string; cacheSeconds?: string; events?: boolean }): Promise<number> {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(o.listen ?? '127.0.0.1:9468');
  const host = m ? normalizeIp(m[1] ?? m[2] ?? '') : null;
  const port = m ? Number(m[3]) : NaN;
  if (!m || !host || !(port > 0 && port < 65536))
    throw new UsageError(`--listen "${o.listen}" is not IP:PORT (e.g. 127.0.0.1:9468 or [::1]:9468)`);
  const cache = o.cacheSeconds ? Number(o.cacheSeconds) : 10;
  if (!(cache >= 0)) throw new UsageError(`--cache-seconds "${o.cacheSeconds}" is not a number of seconds`);
  const ac = new AbortController();
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => ac.abort());
  const { address } = await startExporter({
    io: nodeHostIO(),
    host,
    port,
    cacheSeconds: cache,
    signal: ac.signal,
    events: o.events !== false,
    log: (l) => process.stderr.write(`${l}\n`),
  });
  process.stderr.write(`portdoctor exporter: http://${address}/metrics\n`);
  await new Promise<void>((r) => ac.signal.addEventListener('abort', () => r(), { once: true }));
  return 0;
}
