// CLI-edge helpers: stdin, output, exit.
import { readFileSync } from 'node:fs';
import { isatty } from 'node:tty';

/**
 * Read all of stdin. On a terminal, say what is expected first: a silent wait looks like a hang
 * (`explain -`, `diagnose --error -`, `lint -`).
 */
export function readStdin(what = 'the error text'): string {
  // isatty(0), not process.stdin.isTTY: touching process.stdin makes a pipe non-blocking and the read fails (EAGAIN)
  if (isatty(0))
    process.stderr.write(`portdoctor: paste ${what}, then press Ctrl-D on an empty line (Ctrl-C to cancel)\n`);
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

export function textArg(v: string | undefined, what?: string): string | undefined {
  return v === '-' ? readStdin(what) : v;
}
