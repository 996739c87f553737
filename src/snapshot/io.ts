// Save and load snapshots, and read any file a user names (--from, --config, --env-file, compose
// includes) with a size cap. A loaded snapshot is checked before any rule sees it.
import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type { Snapshot } from '../model.js';
import { FACT_KEYS } from '../model.js';
import { snapshotShapeError } from './shape.js';

export class SnapshotFileError extends Error {
  override readonly name = 'SnapshotFileError';
}

/** Why a named file was not read: the sentence completes "cannot read FILE: …". */
export class ReadRefused extends Error {
  override readonly name = 'ReadRefused';
}

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(n < 1024 * 1024 ? 2 : 0)} MiB`;

/** The caps on what portdoctor reads from a file or stream someone else may have written. */
export const READ_CAPS = {
  /** a snapshot of a busy host is a few MB; 300,000 sockets plus processes were 73 MB */
  snapshot: 64 * 1024 * 1024,
  /** a compose file, an included one, an extends.file */
  compose: 8 * 1024 * 1024,
  /** .portdoctor.json|yml and --env-file */
  config: 1024 * 1024,
  /** stdin (explain -, --error -, lint -): explain reads 4 MiB of it */
  stdin: 8 * 1024 * 1024,
} as const;

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return (e as Error).message;
}

/** Read up to `max` bytes from an open descriptor; more than that is refused, not cut (a cut JSON or YAML misleads). */
function readAllCapped(fd: number, max: number, what: string): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const buf = Buffer.allocUnsafe(Math.min(1024 * 1024, max + 1 - total));
    let n: number;
    try {
      n = readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      // a non-blocking pipe with nothing in it yet: wait a little and read again
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
        continue;
      }
      throw new ReadRefused(errnoText(e));
    }
    if (n === 0) break;
    chunks.push(buf.subarray(0, n));
    total += n;
    if (total > max) throw new ReadRefused(`${what} is larger than the ${mib(max)} portdoctor reads`);
  }
  return Buffer.concat(chunks, total);
}

/**
 * The text of a regular file, at most `max` bytes. A device (/dev/zero), FIFO, socket or directory is
 * refused before a byte is read; /proc files report size 0, so the cap is enforced while reading too.
 * O_NONBLOCK keeps the open of a FIFO from waiting for a writer. Throws ReadRefused.
 */
export function readFileCapped(path: string, max: number, what = 'the file'): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new ReadRefused(errnoText(e));
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new ReadRefused('it is a directory');
    if (!st.isFile()) throw new ReadRefused('it is not a regular file (a device, FIFO or socket)');
    if (st.size > max) throw new ReadRefused(`it is ${mib(st.size)}, larger than the ${mib(max)} portdoctor reads`);
    return readAllCapped(fd, max, what === 'the file' ? 'it' : what).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** All of stdin, at most `max` bytes (a pipe from /dev/zero would otherwise fill the memory). */
export function readStdinCapped(max: number): string {
  return readAllCapped(0, max, 'stdin').toString('utf8');
}

export function parseSnapshot(text: string, origin: string): Snapshot {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new SnapshotFileError(
      `${origin} is not JSON (${(e as Error).message}); make one with: portdoctor collect --out FILE`,
    );
  }
  const s = o as Partial<Snapshot> | null;
  if (!s || typeof s !== 'object' || s.schema !== 'portdoctor.snapshot/1') {
    throw new SnapshotFileError(
      `${origin} is not a portdoctor snapshot (schema "${String((s as { schema?: unknown } | null)?.schema).slice(0, 60)}", expected "portdoctor.snapshot/1"); make one with: portdoctor collect --out FILE`,
    );
  }
  // snapshots recorded before the bind probe existed replay without it
  if ((s as Record<string, unknown>).probe === undefined)
    (s as Record<string, unknown>).probe = {
      ok: false,
      error: { code: 'absent', message: 'the snapshot was recorded without a bind probe' },
      source: 'snapshot',
    };
  for (const k of FACT_KEYS) {
    const f = (s as Record<string, unknown>)[k] as { ok?: unknown } | undefined;
    if (!f || typeof f.ok !== 'boolean') throw new SnapshotFileError(`${origin}: fact "${k}" is missing or malformed`);
  }
  const wrong = snapshotShapeError(s as Record<string, unknown>);
  if (wrong)
    throw new SnapshotFileError(
      `${origin} is not a snapshot as portdoctor writes it: ${wrong}; make a new one with: portdoctor collect --out FILE`,
    );
  return s as Snapshot;
}

export function loadSnapshot(path: string): Snapshot {
  let text: string;
  try {
    text = readFileCapped(path, READ_CAPS.snapshot);
  } catch (e) {
    throw new SnapshotFileError(`cannot read snapshot ${path}: ${(e as Error).message}`);
  }
  return parseSnapshot(text, path);
}

/**
 * Write a snapshot: never through a symlink (O_NOFOLLOW), never over a file unless `force`, mode 0600
 * (it names the host's processes and rules). `-` writes to stdout. Throws SnapshotFileError.
 */
export function saveSnapshot(path: string, s: Snapshot, o: { force?: boolean } = { force: true }): void {
  const text = `${JSON.stringify(s, null, 1)}\n`;
  if (path === '-') {
    process.stdout.write(text);
    return;
  }
  const flags =
    constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | (o.force ? constants.O_TRUNC : constants.O_EXCL);
  let fd: number;
  try {
    fd = openSync(path, flags, 0o600);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'EEXIST'
        ? 'it exists; add --force to replace it'
        : code === 'ELOOP'
          ? 'it is a symbolic link; portdoctor does not write through one (name the file itself)'
          : code === 'ENOENT'
            ? 'its directory does not exist'
            : code === 'EISDIR'
              ? 'it is a directory'
              : errnoText(e);
    throw new SnapshotFileError(`cannot write snapshot ${path}: ${why}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SnapshotFileError(`cannot write snapshot ${path}: it is not a regular file`);
    const buf = Buffer.from(text);
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
  } catch (e) {
    if (e instanceof SnapshotFileError) throw e;
    throw new SnapshotFileError(`cannot write snapshot ${path}: ${errnoText(e)}`);
  } finally {
    closeSync(fd);
  }
}
