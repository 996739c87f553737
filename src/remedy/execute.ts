// The only code that changes the host. Runs the `fix` steps of a plan: takes a lock, re-checks
// every precondition against a fresh look at the host before each step, stops at the first
// failure, and journals what ran, when, its output and its inverse (for `fix --undo`).
import {
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Plan, Snapshot, Step } from '../model.js';
import type { HostIO } from '../collect/host-io.js';
import { checkPrecondition } from './preconditions.js';

export function stateDir(env: Readonly<Record<string, string | undefined>>): string {
  return env.PORTDOCTOR_STATE_DIR ?? '/var/lib/portdoctor';
}

export class LockBusy extends Error {}

/** One `fix --apply` at a time per host: O_EXCL lock file holding our pid; a dead holder's lock is taken over. */
export function acquireLock(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'fix.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
        } catch {
          /* gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(path, 'utf8').trim());
      let alive = false;
      try {
        process.kill(holder, 0);
        alive = true;
      } catch (k) {
        alive = (k as NodeJS.ErrnoException).code === 'EPERM';
      }
      if (alive && holder !== process.pid)
        throw new LockBusy(
          `another portdoctor fix --apply is running (pid ${holder}, lock ${path}); wait for it to finish`,
        );
      unlinkSync(path); // stale lock of a dead run
    }
  }
  throw new LockBusy(`could not take the lock ${path}`);
}

export interface JournalEntry {
  readonly time: string;
  readonly argv: readonly string[];
  readonly why: string;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly undo: readonly string[] | null;
}

export interface Journal {
  readonly schema: 'portdoctor.journal/1';
  readonly started: string;
  readonly subject: string;
  readonly plan: string;
  readonly entries: JournalEntry[];
  readonly refused: string | null;
  readonly undoOf?: string;
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
}

function writeJournal(dir: string, j: Journal): string {
  const jd = join(dir, 'journal');
  mkdirSync(jd, { recursive: true });
  const path = join(jd, `${j.started.replace(/[:.]/g, '-')}.json`);
  writeFileSync(path, `${JSON.stringify(j, null, 2)}\n`);
  return path;
}

export async function applyPlan(plan: Plan, o: ApplyOptions): Promise<ApplyResult> {
  if (plan.safety !== 'fix') throw new Error(`plan "${plan.remedy}" is a suggestion for a human and is never applied`);
  const now = o.now ?? (() => new Date());
  const journal: Journal = {
    schema: 'portdoctor.journal/1',
    started: now().toISOString(),
    subject: o.subject,
    plan: plan.remedy,
    entries: [],
    refused: null,
  };
  let path = writeJournal(o.stateDir, journal);
  let ran = 0;
  for (const step of plan.steps) {
    const snap = await o.fresh();
    for (const p of plan.preconditions) {
      const c = checkPrecondition(p, snap);
      if (!c.ok) {
        const refused = `refused before "${step.argv.join(' ')}": ${c.why}`;
        path = writeJournal(o.stateDir, { ...journal, refused });
        return { ran, refused, failed: null, journalPath: path };
      }
    }
    if (o.confirm && !(await o.confirm(step))) {
      path = writeJournal(o.stateDir, { ...journal, refused: 'stopped by the user' });
      return { ran, refused: 'stopped by the user', failed: null, journalPath: path };
    }
    const r = await o.io.exec(step.argv, { timeoutMs: 30_000 });
    journal.entries.push({
      time: now().toISOString(),
      argv: step.argv,
      why: step.why,
      code: r.code,
      stdout: r.stdout,
      stderr: r.stderr,
      undo: step.undo ?? null,
    });
    path = writeJournal(o.stateDir, journal);
    if (r.code !== 0)
      return {
        ran,
        refused: null,
        failed: `"${step.argv.join(' ')}" failed (${r.error ?? `exit ${r.code}`}): ${r.stderr.trim()}`,
        journalPath: path,
      };
    ran++;
  }
  return { ran, refused: null, failed: null, journalPath: path };
}

export function latestJournal(dir: string): { path: string; journal: Journal } | null {
  const jd = join(dir, 'journal');
  let files: string[];
  try {
    files = readdirSync(jd)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch {
    return null;
  }
  for (const f of files.reverse()) {
    const j = JSON.parse(readFileSync(join(jd, f), 'utf8')) as Journal;
    if (!j.undoOf && j.entries.length) return { path: join(jd, f), journal: j };
  }
  return null;
}

/** Replay the inverse steps of the last applied journal, newest first; itself journalled. */
export async function undoLatest(o: {
  io: HostIO;
  stateDir: string;
  now?: () => Date;
}): Promise<{ ran: number; failed: string | null; skipped: string[]; journalPath: string | null }> {
  const last = latestJournal(o.stateDir);
  if (!last) return { ran: 0, failed: null, skipped: [], journalPath: null };
  const now = o.now ?? (() => new Date());
  const j: Journal = {
    schema: 'portdoctor.journal/1',
    started: now().toISOString(),
    subject: last.journal.subject,
    plan: `undo ${last.journal.plan}`,
    entries: [],
    refused: null,
    undoOf: last.path,
  };
  const skipped: string[] = [];
  let ran = 0;
  for (const e of [...last.journal.entries].reverse()) {
    if (e.code !== 0) continue;
    if (!e.undo) {
      skipped.push(`"${e.argv.join(' ')}" has no inverse`);
      continue;
    }
    const r = await o.io.exec(e.undo, { timeoutMs: 30_000 });
    j.entries.push({
      time: now().toISOString(),
      argv: e.undo,
      why: `undo of: ${e.argv.join(' ')}`,
      code: r.code,
      stdout: r.stdout,
      stderr: r.stderr,
      undo: null,
    });
    if (r.code !== 0)
      return {
        ran,
        failed: `"${e.undo.join(' ')}" failed: ${r.stderr.trim()}`,
        skipped,
        journalPath: writeJournal(o.stateDir, j),
      };
    ran++;
  }
  return { ran, failed: null, skipped, journalPath: writeJournal(o.stateDir, j) };
}
