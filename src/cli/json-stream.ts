// JSON.stringify(obj, null, 2), written piece by piece: a busy host's port map is tens of thousands of
// entries, and one string of all of them (plus the stringifier's own copy) was the largest thing the
// `ports` command held. The text is the same byte for byte.

/** the pieces of JSON.stringify(obj, null, 2); the array under `key` is stringified one element at a time */
export function* prettyJsonPieces(obj: Readonly<Record<string, unknown>>, key: string): Generator<string> {
  const entries = Object.entries(obj).filter(([, v]) => v !== undefined && typeof v !== 'function');
  if (entries.length === 0) {
    yield '{}';
    return;
  }
  yield '{\n';
  for (const [i, [k, v]] of entries.entries()) {
    yield `  ${JSON.stringify(k)}: `;
    if (k === key && Array.isArray(v) && v.length > 0) {
      yield '[\n';
      for (const [j, el] of v.entries()) {
        const text = JSON.stringify(el, null, 2) ?? 'null';
        yield `    ${text.replace(/\n/g, '\n    ')}${j < v.length - 1 ? ',' : ''}\n`;
      }
      yield '  ]';
    } else {
      yield JSON.stringify(v, null, 2).replace(/\n/g, '\n  ');
    }
    yield i < entries.length - 1 ? ',\n' : '\n';
  }
  yield '}';
}

/** write the pieces in blocks of about 64 KB (stdout on a pipe or file is written synchronously on Linux) */
export function writePieces(pieces: Iterable<string>, write: (s: string) => void): void {
  let buf = '';
  for (const p of pieces) {
    buf += p;
    if (buf.length >= 65536) {
      write(buf);
      buf = '';
    }
  }
  if (buf) write(buf);
}
