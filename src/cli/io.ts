// CLI-edge helpers: stdin, output, exit.
import { readFileSync } from 'node:fs';

export function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}

export function textArg(v: string | undefined): string | undefined {
  return v === '-' ? readStdin() : v;
}
