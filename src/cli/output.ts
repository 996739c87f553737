// Terminal conventions at the CLI edge: colour (--no-color, NO_COLOR, FORCE_COLOR), wrapping to the terminal
// width at word boundaries, no truncation when stdout is not a terminal, and a quiet exit when the reader
// of a pipe goes away (`portdoctor ports | head -1`).

// kept on the process, not in this module: diagnose runs from its own bundle (dist/diagnose.cjs, see
// fast-load.ts), which has a copy of this module, and --no-color is read by the copy in dist/cli.js
const COLOR = Symbol.for('portdoctor.colorOverride');
const store = globalThis as { [COLOR]?: boolean | null };

/** --no-color on the command line wins over the environment. */
export function setColor(on: boolean | null): void {
  store[COLOR] = on;
}

/** no-color.org and the FORCE_COLOR convention (chalk, Node): FORCE_COLOR=0 or false turns colour off. */
export function colorEnabled(stream: { isTTY?: boolean } = process.stdout, env = process.env): boolean {
  const forced = store[COLOR] ?? null;
  if (forced !== null) return forced;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force.toLowerCase() !== 'false';
  if (env.NO_COLOR) return false;
  if (env.TERM === 'dumb') return false;
  return Boolean(stream.isTTY);
}

/** The width to wrap or truncate at: the terminal's, or none (Infinity) when stdout is a file or a pipe. */
export function outputWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  return stream.isTTY && stream.columns && stream.columns > 20 ? stream.columns : Infinity;
}

const ANSI = /\x1b\[[0-9;]*m/g;
export const visibleLength = (s: string): number => s.replace(ANSI, '').length;

/**
 * Wrap one line to `width` at spaces, never inside a word; continuation lines get the line's own indent
 * plus `hang`. A word longer than the width stays whole on its own line (a path or an id must not be cut).
 */
export function wrapLine(line: string, width: number, hang = 2): string {
  if (!Number.isFinite(width) || visibleLength(line) <= width) return line;
  const indent = /^\s*/.exec(line)?.[0] ?? '';
  const words = line.slice(indent.length).split(/ +/);
  const cont = indent + ' '.repeat(hang);
  const out: string[] = [];
  let cur = indent;
  let curLen = indent.length;
  let empty = true;
  for (const w of words) {
    const wl = visibleLength(w);
    if (!empty && curLen + 1 + wl > width) {
      out.push(cur);
      cur = cont + w;
      curLen = cont.length + wl;
    } else {
      cur += (empty ? '' : ' ') + w;
      curLen += (empty ? 0 : 1) + wl;
    }
    empty = false;
  }
  out.push(cur);
  return out.join('\n');
}

/** Wrap every line of a text block, leaving lines `keep` says to keep (commands to copy, code frames). */
export function wrapText(text: string, width: number, keep: (line: string) => boolean = () => false): string {
  if (!Number.isFinite(width)) return text;
  return text
    .split('\n')
    .map((l) => (keep(l) ? l : wrapLine(l, width)))
    .join('\n');
}

/**
 * A closed pipe (EPIPE) ends the program quietly: the reader has all it wanted. Without this, Node throws
 * an unhandled 'error' event with a stack trace at the next write.
 */
export function exitQuietlyOnEpipe(): void {
  for (const s of [process.stdout, process.stderr]) {
    s.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
}
