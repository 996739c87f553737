// Fix journals: what `fix --apply` ran and what `fix --undo` may replay. Only a journal portdoctor
// wrote is trusted: a 0600 file of this uid in a 0700 directory of this uid, opened without following
// a symlink, at most 1 MiB, of the journal schema. Written as a new file beside it and renamed into
// place, so a write never follows a symlink and a reader never sees half a journal.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Precondition } from '../model.js';

export interface JournalEntry {
  readonly time: string;
  readonly argv: readonly string[];
  readonly why: string;
  /** null while the step runs (or when it could not be run) */
  code: number | null;
  stdout: string;
  stderr: string;
  readonly undo: readonly string[] | null;
  /** in an undo journal: the index of the applied entry this one undoes */
  readonly of?: number;
}

export interface Journal {
  readonly schema: 'portdoctor.journal/2';
  readonly id: string;
  readonly kind: 'apply' | 'undo';
  readonly started: string;
  finished: string | null;
  readonly subject: string;
  readonly plan: string;
  /** the plan's preconditions, re-checked (as they apply) before an inverse step */
  readonly preconditions: readonly Precondition[];
  readonly entries: JournalEntry[];
  refused: string | null;
  failed: string | null;
  /** in an undo journal: the id of the journal it undoes */
  readonly undoOf?: string;
}

/** the journal directory is not one portdoctor made: nothing is written there, nothing read */
export class JournalUnsafe extends Error {}

const MAX_BYTES = 1024 * 1024;
export const myUid = (): number => (typeof process.getuid === 'function' ? process.getuid() : 0);

export const newJournalId = (): string => randomBytes(8).toString('hex');
export const journalDir = (stateDir: string): string => join(stateDir, 'journal');

/** The journal directory, made 0700 when missing; refused when it is a symlink or another user's. */
function ensureDir(stateDir: string): string {
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const jd = journalDir(stateDir);
  try {
    mkdirSync(jd, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const why = dirProblem(jd);
  if (why) throw new JournalUnsafe(`the journal directory ${jd} ${why}: portdoctor did not make it so; check it`);
  return jd;
}

function dirProblem(jd: string): string | null {
  const st = lstatSync(jd);
  if (st.isSymbolicLink()) return 'is a symbolic link';
  if (!st.isDirectory()) return 'is not a directory';
  if (st.uid !== myUid()) return `belongs to uid ${st.uid}, not ${myUid()}`;
  if ((st.mode & 0o077) !== 0) {
    // ours, only too open (made by an older version with the umask's mode): close it
    chmodSync(jd, 0o700);
  }
  return null;
}

export function writeJournal(stateDir: string, j: Journal): string {
  const jd = ensureDir(stateDir);
  const path = join(jd, `${j.started.replace(/[:.]/g, '-')}-${j.id}.json`);
  const tmp = join(jd, `.${j.id}.${newJournalId()}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, `${JSON.stringify(j, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    unlinkSync(tmp);
    throw e;
  }
  return path;
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isArgv = (v: unknown): v is string[] =>
  Array.isArray(v) && v.length > 0 && v.length <= 256 && v.every((a) => isStr(a) && a.length <= 4096);
const isTime = (v: unknown): v is string =>
  isStr(v) && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(v) && Number.isFinite(Date.parse(v));

function entryOk(e: unknown): e is JournalEntry {
  if (typeof e !== 'object' || e === null) return false;
  const x = e as Record<string, unknown>;
  return (
    isTime(x.time) &&
    isArgv(x.argv) &&
    isStr(x.why) &&
    (x.code === null || Number.isInteger(x.code)) &&
    isStr(x.stdout) &&
    isStr(x.stderr) &&
    (x.undo === null || isArgv(x.undo)) &&
    (x.of === undefined || (Number.isInteger(x.of) && (x.of as number) >= 0))
  );
}

const PRE_KINDS = new Set(['dnat-present', 'dnat-orphan', 'ip-not-live', 'process-is', 'container-state']);

/** the journal schema, checked field by field: what fails is not a journal portdoctor wrote */
export function journalShapeProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const j = v as Record<string, unknown>;
  if (j.schema !== 'portdoctor.journal/2') return `schema ${JSON.stringify(j.schema)} is not portdoctor.journal/2`;
  if (!isStr(j.id) || !/^[0-9a-f]{16}$/.test(j.id)) return 'no journal id';
  if (j.kind !== 'apply' && j.kind !== 'undo') return 'kind is neither apply nor undo';
  if (!isTime(j.started)) return 'no start time';
  if (j.finished !== null && !isTime(j.finished)) return 'bad finish time';
  if (!isStr(j.subject) || !isStr(j.plan)) return 'no subject or plan';
  if (
    !Array.isArray(j.preconditions) ||
    !j.preconditions.every((p) => PRE_KINDS.has((p as { kind?: string })?.kind ?? ''))
  )
    return 'bad preconditions';
  if (!Array.isArray(j.entries) || j.entries.length > 64 || !j.entries.every(entryOk)) return 'bad entries';
  if (j.refused !== null && !isStr(j.refused)) return 'bad refused';
  if (j.failed !== null && !isStr(j.failed)) return 'bad failed';
  if (j.kind === 'undo' && (!isStr(j.undoOf) || !/^[0-9a-f]{16}$/.test(j.undoOf)))
    return 'an undo journal names no journal';
  return null;
}

/** Every journal portdoctor wrote; the other files of the directory are named with why they were ignored. */
export function readTrustedJournals(stateDir: string): {
  journals: Array<{ path: string; journal: Journal }>;
  ignored: string[];
} {
  const jd = journalDir(stateDir);
  let names: string[];
  try {
    const why = dirProblem(jd);
    if (why) return { journals: [], ignored: [`${jd} ${why}: no journal in it is trusted`] };
    names = readdirSync(jd).filter((f) => f.endsWith('.json'));
  } catch {
    return { journals: [], ignored: [] };
  }
  const journals: Array<{ path: string; journal: Journal }> = [];
  const ignored: string[] = [];
  for (const f of names) {
    const path = join(jd, f);
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      ignored.push(`${path}: ${code === 'ELOOP' ? 'a symbolic link' : `cannot be opened (${code})`}`);
      continue;
    }
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) ignored.push(`${path}: not a plain file`);
      else if (st.uid !== myUid()) ignored.push(`${path}: belongs to uid ${st.uid}, not ${myUid()}`);
      else if ((st.mode & 0o077) !== 0)
        ignored.push(`${path}: mode ${(st.mode & 0o777).toString(8)}, not 600 (portdoctor writes 600)`);
      else if (st.size > MAX_BYTES) ignored.push(`${path}: ${st.size} bytes, more than a journal ever is`);
      else {
        const b = Buffer.alloc(st.size);
        let n = 0;
        while (n < b.length) {
          const k = readSync(fd, b, n, b.length - n, n);
          if (k === 0) break;
          n += k;
        }
        let v: unknown;
        try {
          v = JSON.parse(b.toString('utf8', 0, n));
        } catch {
          ignored.push(`${path}: not JSON`);
          continue;
        }
        const why = journalShapeProblem(v);
        if (why) ignored.push(`${path}: ${why}`);
        else journals.push({ path, journal: v as Journal });
      }
    } finally {
      closeSync(fd);
    }
  }
  return { journals, ignored };
}
