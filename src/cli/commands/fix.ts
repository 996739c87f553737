import { createInterface } from 'node:readline/promises';
import { collectSnapshot } from '../../collect/index.js';
import { type HostIO, nodeHostIO } from '../../collect/host-io.js';
import { diagnose, resolveSubject } from '../../diagnose.js';
import type { Cause, Plan, Step, Subject, Symptom } from '../../model.js';
import {
  acquireLock,
  applyPlan,
  type JournalEntry,
  JournalUnsafe,
  LockBusy,
  stateDir,
  undoLatest,
} from '../../remedy/execute.js';
import { planRemedies } from '../../remedy/plan.js';
import { candidatePorts, composeServiceOf, nearestFreePort } from '../../remedy/suggest-port.js';
import { EXIT } from '../exit.js';
import { textArg } from '../io.js';
import { outputWidth, wrapLine } from '../output.js';
import { bold, renderPlans, safe, shellQuote, yellow } from '../render/text.js';
import { parseTarget, UsageError } from '../target.js';
import type { AppliedJson, FixApplyJson, FixPlanJson, FixUndoJson } from '../json-types.js';

export interface FixOpts {
  json?: boolean;
  apply?: boolean;
  yes?: boolean;
  undo?: boolean;
  suggestPort?: boolean;
  error?: string;
}

async function confirmOnTty(step: Step): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const a = await rl.question(`Run: ${shellQuote(step.argv)}\n  (${step.why}) [y/N] `);
    return /^y(es)?$/i.test(a.trim());
  } finally {
    rl.close();
  }
}

export async function runFix(target: string | undefined, o: FixOpts): Promise<number> {
  const io = nodeHostIO();
  const dir = stateDir(io.env);
  if (o.undo) {
    if (target) throw new UsageError('--undo takes no target: it undoes the last applied fix');
    return runUndo(o, io, dir);
  }
  const t = target ? parseTarget(target) : null;
  const errText = textArg(o.error, 'the error you saw (docker run / compose output)');
  const symptom = errText ? (await import('../../symptom.js')).symptomFrom(errText) : null;
  const subject = resolveSubject({ port: t?.port ?? null, ip: t?.ip ?? null, proto: t?.proto ?? null, symptom });
  if (!subject) throw new UsageError('which port? give PORT[/PROTO] or IP:PORT[/PROTO]');
  if (o.apply && !o.yes && !process.stdin.isTTY)
    throw new UsageError(
      '--apply asks before each step on a terminal; with no terminal, add --yes to run the safe steps',
    );

  // --apply holds the lock from before the snapshot: a second fix that waited sees what the first left
  let release: () => void = () => undefined;
  if (o.apply) {
    try {
      release = acquireLock(dir);
    } catch (e) {
      if (e instanceof LockBusy || e instanceof JournalUnsafe) {
        process.stderr.write(`portdoctor: ${e.message}\n`);
        if (o.json)
          process.stdout.write(
            `${JSON.stringify({ subject, applied: null, refused: e.message } satisfies FixApplyJson, null, 2)}\n`,
          );
        return EXIT.undecided;
      }
      throw e;
    }
  }
  try {
    return await planAndApply(subject, symptom, o, io, dir);
  } finally {
    release();
  }
}

/** each step that was started, as run: the exact argv and how it ended */
function stepLines(steps: readonly JournalEntry[]): string {
  return steps
    .map(
      (e) =>
        `  ${e.code === 0 ? 'ran' : e.code === null ? 'started, no result' : `failed (exit ${e.code})`}: ${shellQuote(e.argv)}\n`,
    )
    .join('');
}

async function runUndo(o: FixOpts, io: HostIO, dir: string): Promise<number> {
  let release: () => void;
  try {
    release = acquireLock(dir);
  } catch (e) {
    if (!(e instanceof LockBusy)) throw e;
    process.stderr.write(`portdoctor: ${e.message}\n`);
    if (o.json) {
      const j: FixUndoJson = {
        undone: 0,
        of: null,
        journal: null,
        entries: [],
        skipped: [],
        refused: e.message,
        failed: null,
        alreadyUndone: null,
        ignored: [],
      };
      process.stdout.write(`${JSON.stringify(j, null, 2)}\n`);
    }
    return EXIT.undecided;
  }
  try {
    return await undo(o, io, dir);
  } catch (e) {
    if (!(e instanceof JournalUnsafe)) throw e;
    process.stderr.write(`portdoctor: ${e.message}; no inverse step ran\n`);
    return EXIT.undecided;
  } finally {
    release();
  }
}

async function undo(o: FixOpts, io: HostIO, dir: string): Promise<number> {
  const r = await undoLatest({
    io,
    stateDir: dir,
    fresh: (port) => collectSnapshot(io, port !== null ? { ports: [port] } : {}),
  });
  for (const i of r.ignored) process.stderr.write(`portdoctor: ignored ${i}\n`);
  if (o.json)
    process.stdout.write(
      `${JSON.stringify(
        {
          undone: r.ran,
          of: r.of,
          journal: r.journalPath,
          entries: r.entries.map((e) => ({ argv: e.argv, code: e.code })),
          skipped: r.skipped,
          refused: r.refused,
          failed: r.failed,
          alreadyUndone: r.alreadyUndone,
          ignored: r.ignored,
        } satisfies FixUndoJson,
        null,
        2,
      )}\n`,
    );
  const say = (s: string): boolean => (o.json ? process.stderr : process.stdout).write(s);
  if (!r.of) {
    process.stderr.write(
      `portdoctor: no applied fix to undo${r.ignored.length ? ' (no trusted journal: see the ignored files above)' : ''}; nothing ran\n`,
    );
    // nothing to undo is nothing wrong; a journal portdoctor did not write lying there is a hazard
    return r.ignored.length ? EXIT.found : EXIT.ok;
  }
  if (r.alreadyUndone) {
    say(
      `the last applied fix (${r.of.plan}, ${r.of.started}) was undone already at ${r.alreadyUndone.started} (journal ${r.alreadyUndone.path}); nothing ran\n`,
    );
    return EXIT.ok;
  }
  say(
    `undo of ${r.of.plan} (${r.of.started}): ran ${r.ran} step(s); journal ${r.journalPath}\n${stepLines(r.entries)}${r.skipped.map((s) => `  skipped: ${s}\n`).join('')}`,
  );
  const stop = r.refused ?? r.failed;
  if (stop) {
    process.stderr.write(
      `portdoctor: ${stop}\n${r.ran ? `(${r.ran} inverse step(s) above ran before it; the journal says which)` : '(no inverse step ran)'}\n`,
    );
    return EXIT.found;
  }
  return EXIT.ok;
}

async function planAndApply(
  subject: Subject,
  symptom: Symptom | null,
  o: FixOpts,
  io: HostIO,
  dir: string,
): Promise<number> {
  // the neighbours are collected too: a printed "use port N instead" names only a port seen free
  const span = o.suggestPort ? 50 : 7;
  const ports = [subject.port, ...candidatePorts(subject.port, span)];
  const snap = await collectSnapshot(io, { ports });
  const d = diagnose(snap, subject, symptom);
  const free =
    d.verdict.cause === 'port-free' && !o.suggestPort
      ? null
      : nearestFreePort(snap, subject.proto, subject.ip, subject.port, span);
  const plans: Plan[] = planRemedies(d, snap, { freePort: free });
  const compose = symptom ? /ERROR: for (\S+)|on endpoint (\S+)/.exec(symptom.text) : null;
  const service = composeServiceOf(compose?.[1] ?? compose?.[2] ?? null, null);
  const edit =
    free !== null && service
      ? `in your compose file, services.${service}.ports: "${subject.port}:…" → "${free}:…"`
      : null;

  if (!o.apply) {
    if (o.json) {
      process.stdout.write(
        `${JSON.stringify({ subject: d.subject, cause: d.verdict.cause, summary: d.verdict.summary, freePort: free, composeEdit: edit, plans } satisfies FixPlanJson, null, 2)}\n`,
      );
    } else {
      process.stdout.write(`${wrapLine(`${bold(d.verdict.cause)}: ${safe(d.verdict.summary)}`, outputWidth())}\n`);
      if (free !== null)
        process.stdout.write(`nearest free ${subject.proto} port: ${free}${edit ? `\n  ${edit}` : ''}\n`);
      process.stdout.write(
        plans.length
          ? `\nPlan ${yellow('(nothing runs without --apply; only [fix] steps ever run)')}\n${renderPlans(plans).join('\n')}\n`
          : '\nNothing to fix.\n',
      );
    }
    return d.verdict.cause === 'port-free' ? EXIT.ok : d.verdict.cause === 'unknown' ? EXIT.undecided : EXIT.found;
  }

  // with --json the human lines go to stderr and one JSON object ends the run on stdout
  const say = (s: string): boolean => (o.json ? process.stderr : process.stdout).write(s);
  const done = (
    code: number,
    applied: AppliedJson | null,
    now: { cause: Cause; summary: string } | null = null,
  ): number => {
    if (o.json)
      process.stdout.write(
        `${JSON.stringify({ subject: d.subject, cause: d.verdict.cause, summary: d.verdict.summary, applied, now } satisfies FixApplyJson, null, 2)}\n`,
      );
    return code;
  };
  const first = plans[0];
  if (!first) {
    say(`${d.verdict.cause}: nothing to do.\n`);
    return done(
      d.verdict.cause === 'port-free' ? EXIT.ok : d.verdict.cause === 'unknown' ? EXIT.undecided : EXIT.found,
      null,
    );
  }
  if (first.safety !== 'fix') {
    say(
      `${wrapLine(`Nothing safe to do unattended: "${first.title}" needs a human (it would disrupt ${first.disrupts.join(', ') || "something outside portdoctor's remit"}).`, outputWidth())}\n${renderPlans([first]).join('\n')}\n`,
    );
    return done(EXIT.found, null);
  }
  let r;
  try {
    r = await applyPlan(first, {
      io,
      subject: `${subject.ip ?? '*'}:${subject.port}/${subject.proto}`,
      stateDir: dir,
      fresh: () => collectSnapshot(io, { ports: [subject.port] }),
      confirm: o.yes ? undefined : confirmOnTty,
    });
  } catch (e) {
    // thrown only before the first step (no journal can be written): nothing ran
    if (!(e instanceof JournalUnsafe)) throw e;
    process.stderr.write(`portdoctor: ${e.message}; no step ran\n`);
    return done(EXIT.undecided, null);
  }
  say(`${first.title}: ran ${r.ran}/${first.steps.length} step(s); journal ${r.journalPath}\n${stepLines(r.entries)}`);
  const applied: AppliedJson = { title: first.title, rule: first.rule, steps: first.steps.length, ...r };
  const stop = r.refused ?? r.failed;
  if (stop) {
    process.stderr.write(
      `portdoctor: ${stop}\n${r.entries.length ? `(the step(s) above were run; undo with \`portdoctor fix --undo\`; journal ${r.journalPath})` : '(no step ran)'}\n`,
    );
    return done(EXIT.found, applied);
  }
  let after;
  try {
    after = diagnose(await collectSnapshot(io, { ports: [subject.port] }), subject);
  } catch (e) {
    // the steps ran: never let the generic "nothing on the host was changed" be the last word
    process.stderr.write(
      `portdoctor: the fix ran (${r.ran} step(s) above; journal ${r.journalPath}), but looking at the host afterwards failed: ${(e as Error).message}\n`,
    );
    return done(EXIT.internal, applied);
  }
  const still = after.findings.filter((f) => f.rule === first.rule);
  say(`now: ${after.verdict.cause} — ${after.verdict.summary}\n`);
  return done(still.length === 0 ? EXIT.ok : EXIT.found, applied, {
    cause: after.verdict.cause,
    summary: after.verdict.summary,
  });
}
