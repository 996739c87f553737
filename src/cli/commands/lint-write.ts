// `lint --fix --write`: where an edit may be written. Only a regular file (never through a symbolic
// link: the link may point anywhere), only inside a project's directory (an include may name a file of
// another project or of the system), and atomically (a temporary file renamed over it, mode kept).
import { chmodSync, closeSync, lstatSync, openSync, realpathSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { constants } from 'node:fs';
import { dirname, join, relative, resolve, sep, basename } from 'node:path';
import { UsageError } from '../target.js';

const inside = (dir: string, file: string): boolean => {
  const r = relative(dir, file);
  return r === '' || (!r.startsWith(`..${sep}`) && r !== '..' && !r.startsWith(sep));
};

/** Write `text` to `file` or throw a UsageError saying why not; `roots` are the projects' directories (real paths). */
export function writeFixedFile(file: string, text: string, roots: readonly string[]): void {
  const abs = resolve(file);
  const st = lstatSync(abs, { throwIfNoEntry: false });
  if (!st) throw new UsageError(`--write ${file}: it no longer exists; nothing was written`);
  if (st.isSymbolicLink())
    throw new UsageError(
      `--write ${file}: it is a symbolic link; portdoctor does not write through one (lint the file it points to, or apply the diff by hand)`,
    );
  if (!st.isFile()) throw new UsageError(`--write ${file}: not a regular file; nothing was written`);
  if ((st.mode & 0o222) === 0) throw new UsageError(`--write ${file}: the file is read-only; nothing was written`);
  const real = join(realpathSync(dirname(abs)), basename(abs));
  if (!roots.some((r) => inside(r, real)))
    throw new UsageError(
      `--write ${file}: it is outside the project directory (${roots.join(', ')}); an included file of another place is not edited: apply the diff by hand`,
    );
  const tmp = join(dirname(real), `.${basename(real)}.portdoctor-${process.pid}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    const buf = Buffer.from(text);
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    closeSync(fd);
    chmodSync(tmp, st.mode & 0o7777);
    renameSync(tmp, real);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed or never created
    }
    throw new UsageError(`--write ${file}: ${(e as Error).message}; the file was not changed`);
  }
}
