// The only code that changes the host. Runs the `fix` steps of a plan: takes a lock, re-checks
// every precondition against a fresh look at the host before each step, stops at the first
// failure, and journals what ran as it runs (when, its output, its inverse) for `fix --undo`.
// Journals are trusted only as portdoctor writes them (see execute-journal.ts); undo replays only the
// inverse of a step type portdoctor plans, derived here, never an argv taken from the file.
import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Plan, Precondition, Snapshot, Step } from '../model.js';
import type { HostIO } from '../collect/host-io.js';
import { firewallViews } from '../snapshot/index.js';
import { isNftFamily, isNftName, isOneNftRule } from '../util/nft-name.js';
import { checkPrecondition } from './preconditions.js';
import {
  type Journal,
  type JournalEntry,
  myUid,
  newJournalId,
  readTrustedJournals,
  writeJournal,
} from './execute-journal.js';

export { JournalUnsafe, type Journal, type JournalEntry } from './execute-journal.js';

export function stateDir(env: Readonly<Record<string, string | undefined>>): string {
  return env.PORTDOCTOR_STATE_DIR ?? '/var/lib/portdoctor';
}

export class LockBusy extends Error {}
/** the lock path is something portdoctor never makes (a symlink, a directory, another user's file) */
export class LockUnsafe extends LockBusy {}

/** field 22 of /proc/PID/stat (start time in clock ticks): tells a live holder from a reused pid */
function startTimeOf(pid: number): string | null {
  try {
    const fd = openSync(`/proc/${pid}/stat`, 'r');
    try {
      const b = Buffer.alloc(4096);
      const s = b.toString('utf8', 0, readSync(fd, b, 0, b.length, 0));
      return s.slice(s.lastIndexOf(')') + 2).split(' ')[19] ?? null;
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
}

/** what a lock file says: its holder, or why it is stale */
function holderOf(text: string, ageMs: number): { pid: number } | { stale: string } | { busy: string } {
  const m = /^(\d{1,10})(?: (\d{1,20}))?\s*$/.exec(text);
  if (!m) {
    // portdoctor links a lock into place already written; an empty one is a crash of an older version
    if (text === '' && ageMs < 2000) return { busy: 'being taken right now' };
    return { stale: text === '' ? 'it is empty' : 'it holds no pid' };
  }
  const pid = Number(m[1]);
  if (pid <= 1) return { stale: `it names pid ${pid}` };
  if (pid === process.pid) return { stale: 'it is this very process' };
  let alive = false;
  try {
    process.kill(pid, 0);
    alive = true;
  } catch (k) {
    alive = (k as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (!alive) return { stale: `pid ${pid} is not running` };
  const start = m[2];
  const now = startTimeOf(pid);
  if (start !== undefined && now !== null && now !== start) return { stale: `pid ${pid} is another process now` };
  return { pid };
}

function readNoFollow(path: string): { text: string; ino: number; ageMs: number } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    const b = Buffer.alloc(64);
    const n = st.isFile() ? readSync(fd, b, 0, b.length, 0) : 0;
    return { text: b.toString('utf8', 0, n), ino: st.ino, ageMs: Date.now() - st.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/**
 * One `fix --apply` (or `--undo`) at a time per host. The lock file is written under a unique name and
 * hard-linked into place (atomic, never empty). A stale one (dead or reused pid, empty, garbage) is
 * taken over by renaming it aside and checking it was the very file judged stale; a symlink or anything
 * not a plain file of ours is refused, never followed.
 */
export function acquireLock(dir: string): () => void {
  try {
    return takeLock(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (e instanceof LockBusy || !code) throw e;
    // the state directory cannot be made or written (not root, a file in the way): a clear refusal, not a crash
    throw new LockUnsafe(
      `cannot take the fix lock in ${dir} (${code}: ${(e as Error).message}): run as root, or set PORTDOCTOR_STATE_DIR to a directory you own`,
    );
  }
}

function takeLock(dir: string): () => void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'fix.lock');
  const mine = `${process.pid} ${startTimeOf(process.pid) ?? ''}`.trim();
  for (let attempt = 0; attempt < 5; attempt++) {
    const tmp = join(dir, `.fix.lock.${process.pid}.${newJournalId()}`);
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, `${mine}\n`);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, path);
      unlinkSync(tmp);
      return () => {
        try {
          if (readNoFollow(path).text.trim() === mine) unlinkSync(path);
        } catch {
          /* gone, or not ours any more */
        }
      };
    } catch (e) {
      unlinkSync(tmp);
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let st;
    try {
      st = lstatSync(path);
    } catch {
      continue; // released meanwhile
    }
    if (st.isSymbolicLink()) {
      let to = '?';
      try {
        to = readlinkSync(path);
      } catch {
        /* unreadable target */
      }
      throw new LockUnsafe(
        `the lock ${path} is a symbolic link (to ${to}): portdoctor never makes one and does not follow it; check who made it, remove it (rm ${path}) and run again`,
      );
    }
    if (!st.isFile() || st.uid !== myUid())
      throw new LockUnsafe(
        `the lock ${path} is ${st.isFile() ? `owned by uid ${st.uid}, not ${myUid()}` : 'not a plain file'}: portdoctor did not write it; check it, remove it and run again`,
      );
    let seen;
    try {
      seen = readNoFollow(path);
    } catch {
      continue;
    }
    const h = holderOf(seen.text, seen.ageMs);
    if ('pid' in h)
      throw new LockBusy(
        `another portdoctor fix --apply (or --undo) is running (pid ${h.pid}, lock ${path}); wait for it to finish`,
      );
    if ('busy' in h) throw new LockBusy(`the lock ${path} is ${h.busy}; run again in a moment`);
    // take over: move it aside, then make sure the file moved is the one judged stale
    const aside = join(dir, `.fix.lock.stale.${process.pid}.${newJournalId()}`);
    try {
      renameSync(path, aside);
    } catch {
      continue;
    }
    const moved = lstatSync(aside);
    if (moved.ino === seen.ino) {
      unlinkSync(aside);
      continue;
    }
    // someone else took it over between our look and the rename: give it back
    try {
      linkSync(aside, path);
    } finally {
      unlinkSync(aside);
    }
    throw new LockBusy(`another portdoctor fix took the lock ${path} just now; wait for it to finish`);
  }
  throw new LockBusy(`could not take the lock ${path} (it keeps changing); run again`);
}

export interface ApplyOptions {
  readonly io: HostIO;
  /** a fresh snapshot, taken right before each step */
  readonly fresh: () => Promise<Snapshot>;
  /** ask the user per step; return false to stop */
  readonly confirm?: (step: Step) => Promise<boolean>;
  readonly subject: string;
  readonly stateDir: string;
  readonly now?: () => Date;
}

export interface ApplyResult {
  readonly ran: number;
  readonly refused: string | null;
  readonly failed: string | null;
  readonly journalPath: string;
  /** every step that was started, in order, with how it ended */
  readonly entries: readonly JournalEntry[];
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export async function applyPlan(plan: Plan, o: ApplyOptions): Promise<ApplyResult> {
  if (plan.safety !== 'fix') throw new Error(`plan "${plan.remedy}" is a suggestion for a human and is never applied`);
  for (const s of plan.steps) {
    const bad = unsafeArgv(s.argv);
    if (bad) throw new Error(`plan "${plan.remedy}" has a step portdoctor will not run: ${bad}`);
  }
  const now = o.now ?? (() => new Date());
  const j: Journal = {
    schema: 'portdoctor.journal/2',
    id: newJournalId(),
    kind: 'apply',
    started: now().toISOString(),
    finished: null,
    subject: o.subject,
    plan: plan.remedy,
    preconditions: plan.preconditions,
    entries: [],
    refused: null,
    failed: null,
  };
  // the journal exists before anything runs: a run that cannot journal does not start
  const jr = journalling(o.stateDir, j, now);
  const end = (refused: string | null, failed: string | null): ApplyResult => {
    const f = jr.finish(refused, failed);
    return { ran: f.ran, refused, failed: f.failed, journalPath: f.path, entries: j.entries };
  };
  for (const step of plan.steps) {
    let snap: Snapshot;
    try {
      snap = await o.fresh();
    } catch (e) {
      return end(`refused before "${step.argv.join(' ')}": could not look at the host again (${errText(e)})`, null);
    }
    for (const p of plan.preconditions) {
      const c = checkPrecondition(p, snap);
      if (!c.ok) return end(`refused before "${step.argv.join(' ')}": ${c.why}`, null);
    }
    let yes = true;
    try {
      yes = !o.confirm || (await o.confirm(step));
    } catch (e) {
      return end(`stopped before "${step.argv.join(' ')}": could not ask (${errText(e)})`, null);
    }
    if (!yes) return end('stopped by the user', null);
    const entry: JournalEntry = {
      time: now().toISOString(),
      argv: step.argv,
      why: step.why,
      code: null,
      stdout: '',
      stderr: '',
      undo: step.undo ?? null,
    };
    const failed = await jr.run(o.io, entry);
    if (failed) return end(null, failed);
  }
  return end(null, null);
}

/**
 * A journal written as the run goes, for apply and undo alike: made before anything runs (a run that
 * cannot journal does not start), saved before each step ("started": a crash mid-step leaves its trace)
 * and after it; a write that fails later stops the run and is said, never thrown.
 */
function journalling(stateDir: string, j: Journal, now: () => Date) {
  let path = writeJournal(stateDir, j);
  const save = (): string | null => {
    try {
      path = writeJournal(stateDir, j);
      return null;
    } catch (e) {
      return `could not write the journal ${path} (${errText(e)})`;
    }
  };
  return {
    finish(refused: string | null, failed: string | null): { ran: number; failed: string | null; path: string } {
      j.refused = refused;
      j.failed = failed;
      j.finished = now().toISOString();
      const w = save();
      return {
        ran: j.entries.filter((e) => e.code === 0).length,
        failed: w ? (failed ? `${failed}; ${w}` : w) : failed,
        path,
      };
    },
    /** journal the step, run it, record what it did: why it stopped the run, or null */
    async run(io: HostIO, entry: JournalEntry): Promise<string | null> {
      const argv = entry.argv.join(' ');
      j.entries.push(entry);
      const w = save();
      if (w) {
        j.entries.pop();
        return `not run: "${argv}": ${w}`;
      }
      let r;
      try {
        r = await io.exec([...entry.argv], { timeoutMs: 30_000 });
      } catch (e) {
        entry.stderr = errText(e);
        return `"${argv}" could not be run (${errText(e)})`;
      }
      entry.code = r.code;
      entry.stdout = r.stdout;
      entry.stderr = r.stderr;
      if (r.code !== 0) return `"${argv}" failed (${r.error ?? `exit ${r.code}`}): ${r.stderr.trim()}`;
      return save();
    },
  };
}

// ---- undo

const IPT_BINS = new Set([
  'iptables',
  'ip6tables',
  'iptables-nft',
  'ip6tables-nft',
  'iptables-legacy',
  'ip6tables-legacy',
]);
const IPT_TABLES = new Set(['nat', 'filter', 'raw', 'mangle']);
/** iptables chain names: at most 28 characters (XT_EXTENSION_MAXNAMELEN - 1), no blanks */
const IPT_CHAIN = /^[A-Za-z0-9_.-]{1,28}$/;

/**
 * A step of the nft family whose argv nft would misread (nft joins its argv: `;` runs a second
 * command): the reason, or null. iptables takes its argv as given, so only nft is checked.
 */
export function unsafeArgv(argv: readonly string[]): string | null {
  if (argv.some((a) => a.includes('\0'))) return 'an argument holds a NUL byte';
  if (argv[0] !== 'nft') return null;
  const [, verb, what, fam, table, chain, ...rest] = argv;
  if (what === 'rule' && (verb === 'delete' || verb === 'add')) {
    if (!isNftFamily(fam ?? '') || !isNftName(table ?? '') || !isNftName(chain ?? ''))
      return `nft ${verb} rule names a family, table or chain nft would misread (${JSON.stringify([fam, table, chain])})`;
    if (verb === 'delete' && !(rest.length === 2 && rest[0] === 'handle' && /^\d{1,10}$/.test(rest[1] ?? '')))
      return 'nft delete rule takes only "handle N"';
    if (verb === 'add' && !(rest.length === 1 && isOneNftRule(rest[0] ?? '')))
      return 'the nft rule text is more than one command (a ";", "#" or line break)';
    return null;
  }
  return argv.slice(1).some((a) => /[;#\n\r]/.test(a)) ? 'an nft argument holds ";", "#" or a line break' : null;
}

/**
 * The inverse of a step portdoctor plans, derived from the step itself (and, for nft, the rule text
 * the journal recorded, checked to be one rule of the same chain); null when there is none.
 */
export function inverseOf(e: { argv: readonly string[]; undo: readonly string[] | null }): string[] | null {
  const a = e.argv;
  if (IPT_BINS.has(a[0] ?? '') && a[1] === '-w' && a[2] === '-t' && a[4] === '-D') {
    const [bin, , , table, , chain, ...spec] = a as string[];
    if (!IPT_TABLES.has(table ?? '') || !IPT_CHAIN.test(chain ?? '') || !spec.length) return null;
    if (spec.some((s) => s.includes('\0') || s === '-D' || s === '-F' || s === '-X' || s === '-t')) return null;
    return [bin as string, '-w', '-t', table as string, '-A', chain as string, ...spec];
  }
  if (a[0] === 'nft' && a[1] === 'delete' && a[2] === 'rule' && a.length === 8 && a[6] === 'handle') {
    const [, , , fam, table, chain] = a as string[];
    const u = e.undo;
    if (!u || u.length !== 7 || u[0] !== 'nft' || u[1] !== 'add' || u[2] !== 'rule') return null;
    if (u[3] !== fam || u[4] !== table || u[5] !== chain) return null;
    const inv = ['nft', 'add', 'rule', fam as string, table as string, chain as string, u[6] as string];
    return unsafeArgv(inv) === null && unsafeArgv(a) === null ? inv : null;
  }
  return null;
}

type DnatPre = Extract<Precondition, { kind: 'dnat-present' }>;

/** Before re-adding a rule: its target must not be a live container's, and it must not be there already. */
function checkInverse(
  inv: readonly string[],
  pre: readonly Precondition[],
  snap: Snapshot,
): { ok: true } | { ok: false; skip: boolean; why: string } {
  const rule = pre.find((p): p is DnatPre => p.kind === 'dnat-present');
  const ip = pre.find((p) => p.kind === 'ip-not-live');
  if (!rule || !ip || ip.kind !== 'ip-not-live')
    return { ok: false, skip: false, why: 'the journal does not say which address the rule sent to' };
  const live = checkPrecondition(ip, snap);
  if (!live.ok)
    return {
      ok: false,
      skip: false,
      why: `${live.why}; re-adding the rule would send port ${rule.dport} there`,
    };
  const views = firewallViews(snap).filter((v) => v.backend === rule.backend);
  const text = inv[0] === 'nft' ? inv[6] : null;
  const there = views.some((v) =>
    v.dnat.some(
      (r) =>
        r.family === rule.family &&
        r.table === rule.table &&
        r.chain === rule.chain &&
        (text !== null
          ? r.text === text
          : r.spec !== null && rule.spec !== null && r.spec.join('\0') === rule.spec.join('\0')),
    ),
  );
  if (there) return { ok: false, skip: true, why: 'the rule is already there (re-added since?)' };
  return { ok: true };
}

export interface UndoResult {
  readonly ran: number;
  readonly failed: string | null;
  readonly refused: string | null;
  readonly skipped: readonly string[];
  /** journals in the journal directory that were not trusted, and why */
  readonly ignored: readonly string[];
  readonly journalPath: string | null;
  readonly of: { path: string; started: string; plan: string } | null;
  /** set when the last applied fix was undone already: by which journal, when */
  readonly alreadyUndone: { path: string; started: string } | null;
  readonly entries: readonly JournalEntry[];
}

/** Replay the inverse steps of the last applied journal (by its recorded time), newest step first. */
export async function undoLatest(o: {
  io: HostIO;
  stateDir: string;
  /** a fresh snapshot covering `port`, taken right before each inverse step */
  fresh: (port: number | null) => Promise<Snapshot>;
  now?: () => Date;
}): Promise<UndoResult> {
  const { journals, ignored } = readTrustedJournals(o.stateDir);
  const applied = journals
    .filter((x) => x.journal.kind === 'apply' && x.journal.entries.some((e) => e.code === 0))
    .sort((a, b) => Date.parse(a.journal.started) - Date.parse(b.journal.started));
  const last = applied[applied.length - 1];
  const base = { ignored, entries: [] as JournalEntry[] };
  if (!last)
    return {
      ...base,
      ran: 0,
      failed: null,
      refused: null,
      skipped: [],
      journalPath: null,
      of: null,
      alreadyUndone: null,
    };
  const of = { path: last.path, started: last.journal.started, plan: last.journal.plan };
  const undos = journals.filter((x) => x.journal.kind === 'undo' && x.journal.undoOf === last.journal.id);
  // an inverse already run (by an earlier --undo) is not run again
  const done = new Set(undos.flatMap((u) => u.journal.entries.filter((e) => e.code === 0).map((e) => e.of ?? -1)));
  const todo = last.journal.entries
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => e.code === 0)
    .reverse();
  if (todo.every(({ i, e }) => done.has(i) || !inverseOf(e))) {
    const by = undos.sort((a, b) => Date.parse(b.journal.started) - Date.parse(a.journal.started))[0];
    if (by)
      return {
        ...base,
        ran: 0,
        failed: null,
        refused: null,
        skipped: [],
        journalPath: null,
        of,
        alreadyUndone: { path: by.path, started: by.journal.started },
      };
  }
  const now = o.now ?? (() => new Date());
  const j: Journal = {
    schema: 'portdoctor.journal/2',
    id: newJournalId(),
    kind: 'undo',
    started: now().toISOString(),
    finished: null,
    subject: last.journal.subject,
    plan: `undo ${last.journal.plan}`,
    preconditions: [],
    entries: [],
    refused: null,
    failed: null,
    undoOf: last.journal.id,
  };
  const jr = journalling(o.stateDir, j, now);
  const skipped: string[] = [];
  const end = (refused: string | null, failed: string | null): UndoResult => {
    const f = jr.finish(refused, failed);
    return {
      ...base,
      ran: f.ran,
      failed: f.failed,
      refused,
      skipped,
      journalPath: f.path,
      of,
      alreadyUndone: null,
      entries: j.entries,
    };
  };
  for (const { e, i } of todo) {
    if (done.has(i)) {
      skipped.push(`"${e.argv.join(' ')}": undone already`);
      continue;
    }
    const inv = inverseOf(e);
    if (!inv) {
      skipped.push(`"${e.argv.join(' ')}" has no inverse portdoctor runs (undo it by hand if needed)`);
      continue;
    }
    let snap: Snapshot;
    try {
      const rule = last.journal.preconditions.find((p): p is DnatPre => p.kind === 'dnat-present');
      snap = await o.fresh(rule?.dport ?? null);
    } catch (err) {
      return end(`refused before "${inv.join(' ')}": could not look at the host again (${errText(err)})`, null);
    }
    const c = checkInverse(inv, last.journal.preconditions, snap);
    if (!c.ok) {
      if (c.skip) {
        skipped.push(`"${inv.join(' ')}": ${c.why}`);
        continue;
      }
      return end(`refused before "${inv.join(' ')}": ${c.why}`, null);
    }
    const entry: JournalEntry = {
      time: now().toISOString(),
      argv: inv,
      why: `undo of: ${e.argv.join(' ')}`,
      code: null,
      stdout: '',
      stderr: '',
      undo: null,
      of: i,
    };
    const failed = await jr.run(o.io, entry);
    if (failed) return end(null, failed);
  }
  return end(null, null);
}
