// PORTDOCTOR_TRACE=1: phase timings (ms since process start) and memory on stderr, to find where time
// and memory go.
const on = typeof process !== 'undefined' && process.env.PORTDOCTOR_TRACE === '1';

const mem = (): string => {
  const m = process.memoryUsage();
  return `rss ${(m.rss / 2 ** 20).toFixed(1)} MB, heap ${(m.heapUsed / 2 ** 20).toFixed(1)}/${(m.heapTotal / 2 ** 20).toFixed(1)} MB`;
};

export function trace(what: string): void {
  if (on) process.stderr.write(`[trace] ${performance.now().toFixed(1)} ms ${what} (${mem()})\n`);
}

export async function traced<T>(what: string, p: Promise<T>): Promise<T> {
  if (!on) return p;
  const t0 = performance.now();
  const r = await p;
  process.stderr.write(
    `[trace] ${performance.now().toFixed(1)} ms ${what} done (${(performance.now() - t0).toFixed(1)} ms; ${mem()})\n`,
  );
  return r;
}
