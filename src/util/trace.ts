// PORTDOCTOR_TRACE=1: phase timings (ms since process start) on stderr, to find where time goes.
const on = typeof process !== 'undefined' && process.env.PORTDOCTOR_TRACE === '1';

export function trace(what: string): void {
  if (on) process.stderr.write(`[trace] ${performance.now().toFixed(1)} ms ${what}\n`);
}

export async function traced<T>(what: string, p: Promise<T>): Promise<T> {
  if (!on) return p;
  const t0 = performance.now();
  const r = await p;
  process.stderr.write(
    `[trace] ${performance.now().toFixed(1)} ms ${what} done (${(performance.now() - t0).toFixed(1)} ms)\n`,
  );
  return r;
}
