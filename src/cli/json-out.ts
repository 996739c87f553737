// A large JSON answer written as it is made: the same bytes as `${JSON.stringify(doc, null, 2)}\n`,
// but one array entry at a time into 64 KB chunks written straight to fd 1. The whole text (8 MB for
// a busy host's port map) and its copy in a write buffer are never held at once. By hand: JSON
// streaming libraries write compact JSON or take a stream of tokens, not JSON.stringify's layout.
import { writeSync } from 'node:fs';

const CHUNK = 64 * 1024;
const HOLE = '\u0000portdoctor-array\u0000';

/** every piece of the text, in order; `key` names a top-level array of `doc` */
export function* prettyJsonPieces<T extends object>(doc: T, key: keyof T & string): Generator<string> {
  const arr = doc[key];
  if (!Array.isArray(arr) || arr.length === 0) {
    yield `${JSON.stringify(doc, null, 2)}\n`;
    return;
  }
  // the document around the array, laid out by JSON.stringify itself; the array goes where the hole is
  const frame = JSON.stringify({ ...doc, [key]: HOLE }, null, 2);
  const at = frame.indexOf(JSON.stringify(HOLE));
  yield `${frame.slice(0, at)}[\n`;
  for (let i = 0; i < arr.length; i++) {
    // depth 2 of an indent of 2: every line of the entry moves right by 4; no JSON string holds a raw newline
    const text = JSON.stringify(arr[i] ?? null, null, 2).replace(/\n/g, '\n    ');
    yield `    ${text}${i < arr.length - 1 ? ',\n' : '\n'}`;
  }
  yield `  ]${frame.slice(at + JSON.stringify(HOLE).length)}\n`;
}

/** fd 1, synchronously: a pipe's partial writes and EAGAIN retried; a closed pipe ends the program quietly */
function writeStdout(buf: Buffer): void {
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(1, buf, off, buf.length - off);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
      if (code !== 'EAGAIN') throw e;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // the reader is behind: wait 5 ms
    }
  }
}

export function writeJsonArrayDoc<T extends object>(
  doc: T,
  key: keyof T & string,
  write: (buf: Buffer) => void = writeStdout,
): void {
  let pending: string[] = [];
  let size = 0;
  for (const piece of prettyJsonPieces(doc, key)) {
    pending.push(piece);
    size += piece.length;
    if (size >= CHUNK) {
      write(Buffer.from(pending.join(''), 'utf8'));
      pending = [];
      size = 0;
    }
  }
  if (pending.length) write(Buffer.from(pending.join(''), 'utf8'));
}
