// CLI-edge helpers: stdin, output, exit.
import { isatty } from 'node:tty';
import { READ_CAPS, ReadRefused, readStdinCapped } from '../snapshot/io.js';
import { UsageError } from './target.js';

/**
 * Read all of stdin, at most `max` bytes (`< /dev/zero` must not fill the memory). On a terminal, say
 * what is expected first: a silent wait looks like a hang (`explain -`, `diagnose --error -`, `lint -`).
 */
export function readStdin(what = 'the error text', max: number = READ_CAPS.stdin): string {
  // isatty(0), not process.stdin.isTTY: touching process.stdin makes a pipe non-blocking and the read fails (EAGAIN)
  if (isatty(0))
    process.stderr.write(`portdoctor: paste ${what}, then press Ctrl-D on an empty line (Ctrl-C to cancel)\n`);
  try {
    return readStdinCapped(max);
  } catch (e) {
    if (e instanceof ReadRefused && /larger than/.test(e.message))
      throw new UsageError(`${what} on stdin: ${e.message}; give a shorter input (the part with the error)`);
    return '';
  }
}

export function textArg(v: string | undefined, what?: string): string | undefined {
  return v === '-' ? readStdin(what) : v;
}
