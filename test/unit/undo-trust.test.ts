// `fix --undo` and the fix lock against hostile state: only journals portdoctor wrote are trusted (0600
// in a 0700 directory of this uid, no symlink, the schema), only the inverse of a step portdoctor plans
// is replayed (derived from the step, never an argv from the file), the journal is picked by its own
// time, an undo is done once, preconditions are checked before each inverse step, and what ran is said.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingIO } from '../helpers/recording-io.js';
import { diagnose } from '../../src/diagnose.js';
import type { Container, Snapshot } from '../../src/model.js';
import { acquireLock, applyPlan, inverseOf, LockBusy, LockUnsafe, undoLatest } from '../../src/remedy/execute.js';
import { planRemedies } from '../../src/remedy/plan.js';
import { runCli } from '../helpers/cli.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';

const newDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'pd-undo-'));
  chmodSync(d, 0o700);
  return d;
};
const PORT = 18401;
const before = () => snapshotFromCapture('orphan-dnat/before-run');
const plan = () => planRemedies(diagnose(before(), { proto: 'tcp', ip: null, port: PORT }), before())[0]!;
/** the host after the delete: the orphan rule gone */
function afterDelete(): Snapshot {
  const s = before();
  if (!s.iptablesNft.ok) throw new Error('capture has no iptables-nft view');
  const v = s.iptablesNft.value;
  return { ...s, iptablesNft: { ...s.iptablesNft, value: { ...v, dnat: v.dnat.filter((r) => r.dport !== PORT) } } };
}
/** ... and the rule's target address live again, in a new container */
function ipLiveAgain(): Snapshot {
  const s = afterDelete();
  if (!s.containers.ok) throw new Error('no containers');
  const c = { ...(s.containers.value[0] as Container), name: 'newcomer', state: 'running', ips: ['172.17.0.250'] };
  return { ...s, containers: { ...s.containers, value: [...s.containers.value, c as Container] } };
}
async function applied(d: string, io = recordingIO()) {
  const r = await applyPlan(plan(), { io, subject: 't', stateDir: d, fresh: async () => before() });
  expect(r.ran).toBe(1);
  return r;
}
const isReAdd = (c: string[]) => c[0] === 'iptables-nft' && c[4] === '-A' && c[5] === 'DOCKER';

describe('fix --undo trusts only what portdoctor wrote', () => {
  it('journals are 0600 in a 0700 directory', async () => {
    const d = newDir();
    const r = await applied(d);
    expect(readFileSync(r.journalPath, 'utf8')).toMatch(/"schema": "portdoctor.journal\/2"/);
    const { statSync } = await import('node:fs');
    expect(statSync(r.journalPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(d, 'journal')).mode & 0o777).toBe(0o700);
  });
  it('never runs an argv a journal file holds: a planted "undo" of rm -rf is not replayed', async () => {
    const d = newDir();
    const r = await applied(d);
    const j = JSON.parse(readFileSync(r.journalPath, 'utf8'));
    j.entries[0].undo = ['rm', '-rf', '/'];
    j.entries[0].argv = ['sh', '-c', 'echo pwned'];
    writeFileSync(r.journalPath, JSON.stringify(j), { mode: 0o600 });
    const io = recordingIO();
    const u = await undoLatest({ io, stateDir: d, fresh: async () => afterDelete() });
    expect(io.calls).toEqual([]);
    expect(u.skipped.join('\n')).toMatch(/has no inverse portdoctor runs/);
  });
  it('the inverse is derived from the step: a delete by spec gives the same spec appended, nothing else', () => {
    const argv = ['iptables-nft', '-w', '-t', 'nat', '-D', 'DOCKER', '-p', 'tcp', '--dport', '1', '-j', 'DNAT'];
    expect(inverseOf({ argv, undo: ['touch', '/x'] })).toEqual([...argv.slice(0, 4), '-A', 'DOCKER', ...argv.slice(6)]);
    expect(inverseOf({ argv: ['kill', '-TERM', '42'], undo: ['rm', '/x'] })).toBeNull();
    // nft: the recorded rule text must be one rule of the same chain
    const del = ['nft', 'delete', 'rule', 'ip', 'nat', 'DOCKER', 'handle', '7'];
    expect(
      inverseOf({ argv: del, undo: ['nft', 'add', 'rule', 'ip', 'nat', 'DOCKER', 'tcp dport 1 dnat to 1.2.3.4'] }),
    ).toEqual(['nft', 'add', 'rule', 'ip', 'nat', 'DOCKER', 'tcp dport 1 dnat to 1.2.3.4']);
    expect(
      inverseOf({ argv: del, undo: ['nft', 'add', 'rule', 'ip', 'nat', 'DOCKER', 'accept; flush ruleset'] }),
    ).toBeNull();
    expect(inverseOf({ argv: del, undo: ['nft', 'add', 'rule', 'ip', 'filter', 'INPUT', 'drop'] })).toBeNull();
  });
  it.each([
    ['mode 0644', (p: string) => chmodSync(p, 0o644), /mode 644, not 600/],
    ['not the schema', (p: string) => writeFileSync(p, '{"schema":"portdoctor.journal/1","entries":[]}'), /schema/],
    ['not JSON', (p: string) => writeFileSync(p, 'x'), /not JSON/],
  ])('a journal with %s is ignored and said so; nothing runs', async (_, spoil, why) => {
    const d = newDir();
    const r = await applied(d);
    spoil(r.journalPath);
    const io = recordingIO();
    const u = await undoLatest({ io, stateDir: d, fresh: async () => afterDelete() });
    expect(io.calls).toEqual([]);
    expect(u.of).toBeNull();
    expect(u.ignored.join('\n')).toMatch(why);
  });
  it('a symlinked journal is not followed; a symlinked journal directory is neither read nor written', async () => {
    const d = newDir();
    const r = await applied(d);
    const real = join(d, 'elsewhere.json');
    writeFileSync(real, readFileSync(r.journalPath), { mode: 0o600 });
    const { unlinkSync } = await import('node:fs');
    unlinkSync(r.journalPath);
    symlinkSync(real, r.journalPath);
    const u = await undoLatest({ io: recordingIO(), stateDir: d, fresh: async () => afterDelete() });
    expect(u.of).toBeNull();
    expect(u.ignored.join('\n')).toMatch(/a symbolic link/);

    const d2 = newDir();
    const target = newDir();
    symlinkSync(target, join(d2, 'journal'));
    await expect(
      applyPlan(plan(), { io: recordingIO(), subject: 't', stateDir: d2, fresh: async () => before() }),
    ).rejects.toThrow(/journal directory .* is a symbolic link/);
    expect(readdirSync(target)).toEqual([]);
  });
  it('the journal is picked by its recorded time, not its file name (zzz.json does not win)', async () => {
    const d = newDir();
    const io = recordingIO();
    const first = await applied(d, io);
    const j = JSON.parse(readFileSync(first.journalPath, 'utf8'));
    // an older journal of ours under a name that sorts last: the newer one is undone
    const old = { ...j, id: '00000000000000aa', started: '2001-01-01T00:00:00.000Z', plan: 'older' };
    writeFileSync(join(d, 'journal', 'zzz.json'), JSON.stringify(old), { mode: 0o600 });
    const u = await undoLatest({ io, stateDir: d, fresh: async () => afterDelete() });
    expect(u.of?.path).toBe(first.journalPath);
  });
});

describe('fix --undo runs once, re-checks, and says what ran', () => {
  it('a second --undo does not re-add the same rule', async () => {
    const d = newDir();
    const io = recordingIO();
    await applied(d, io);
    const u1 = await undoLatest({ io, stateDir: d, fresh: async () => afterDelete() });
    expect(u1.ran).toBe(1);
    const u2 = await undoLatest({ io, stateDir: d, fresh: async () => afterDelete() });
    expect(u2.ran).toBe(0);
    expect(u2.alreadyUndone?.path).toBe(u1.journalPath);
    expect(io.calls.filter(isReAdd)).toHaveLength(1);
  });
  it('refuses to re-add a DNAT whose target address is live again', async () => {
    const d = newDir();
    const io = recordingIO();
    await applied(d, io);
    const u = await undoLatest({ io, stateDir: d, fresh: async () => ipLiveAgain() });
    expect(u.ran).toBe(0);
    expect(u.refused).toMatch(/172\.17\.0\.250 now belongs to live container newcomer/);
    expect(io.calls.filter(isReAdd)).toEqual([]);
  });
  it('skips a rule that is already back', async () => {
    const d = newDir();
    const io = recordingIO();
    await applied(d, io);
    const u = await undoLatest({ io, stateDir: d, fresh: async () => before() });
    expect(u.ran).toBe(0);
    expect(u.skipped.join()).toMatch(/already there/);
  });
  it('a failure half-way through --apply is journalled with the step that ran, and the CLI names it', async () => {
    const d = newDir();
    const p = plan();
    const second = ['iptables-nft', '-w', '-t', 'nat', '-D', 'DOCKER', '-p', 'tcp', '--dport', '1', '-j', 'RETURN'];
    const io = recordingIO((argv) =>
      argv.join(' ') === second.join(' ') ? { code: 1, stderr: 'iptables: Bad rule' } : {},
    );
    const r = await applyPlan(
      { ...p, steps: [p.steps[0]!, { argv: second, why: 'second' }] },
      { io, subject: 't', stateDir: d, fresh: async () => before() },
    );
    expect(r.ran).toBe(1);
    expect(r.failed).toMatch(/Bad rule/);
    expect(r.entries.map((e) => e.code)).toEqual([0, 1]);
    const j = JSON.parse(readFileSync(r.journalPath, 'utf8'));
    expect(j.entries).toHaveLength(2);
    expect(j.failed).toMatch(/Bad rule/);
  });
  it('CLI: --undo with nothing trusted says so and that nothing ran', () => {
    const d = newDir();
    mkdirSync(join(d, 'journal'), { mode: 0o700 });
    writeFileSync(
      join(d, 'journal', 'zzz.json'),
      '{"schema":"portdoctor.journal/1","entries":[{"argv":["touch","/tmp/x"]}]}',
      {
        mode: 0o644,
      },
    );
    const r = runCli(['fix', '--undo'], {
      env: { PORTDOCTOR_STATE_DIR: d, DOCKER_HOST: 'unix:///nonexistent/x.sock' },
    });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/ignored .*zzz\.json: mode 644, not 600/);
    expect(r.err).toMatch(/no applied fix to undo .*nothing ran/);
    expect(r.err).not.toMatch(/internal error|nothing on the host was changed/);
  });
});

describe('the fix lock', () => {
  it('an empty lock (a crash) is taken over, not waited on forever', () => {
    const d = newDir();
    writeFileSync(join(d, 'fix.lock'), '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(d, 'fix.lock'), old, old);
    const release = acquireLock(d);
    expect(readFileSync(join(d, 'fix.lock'), 'utf8')).toMatch(new RegExp(`^${process.pid}\\b`));
    release();
    expect(existsSync(join(d, 'fix.lock'))).toBe(false);
  });
  it('a lock of a dead pid, or of garbage, is taken over', () => {
    for (const text of ['999999999\n', 'garbage', '-1', '0']) {
      const d = newDir();
      writeFileSync(join(d, 'fix.lock'), text);
      const release = acquireLock(d);
      release();
      expect(existsSync(join(d, 'fix.lock')), text).toBe(false);
    }
  });
  it('a live holder is still refused', () => {
    const d = newDir();
    writeFileSync(join(d, 'fix.lock'), String(process.ppid));
    expect(() => acquireLock(d)).toThrow(LockBusy);
    expect(() => acquireLock(d)).toThrow(/another portdoctor fix --apply \(or --undo\) is running \(pid \d+/);
  });
  it('a symlinked lock is refused with a clear message and its target left alone', () => {
    const d = newDir();
    const target = join(d, 'victim');
    writeFileSync(target, 'precious');
    symlinkSync(target, join(d, 'fix.lock'));
    expect(() => acquireLock(d)).toThrow(LockUnsafe);
    expect(() => acquireLock(d)).toThrow(/is a symbolic link \(to .*victim\): portdoctor never makes one/);
    expect(readFileSync(target, 'utf8')).toBe('precious');
    // a dangling one too (it made openSync fail with ENOENT before)
    const d2 = newDir();
    symlinkSync(join(d2, 'nowhere'), join(d2, 'fix.lock'));
    expect(() => acquireLock(d2)).toThrow(LockUnsafe);
  });
  it('CLI: fix --apply with a symlinked lock: a clear message, exit 3, no stack', () => {
    const d = newDir();
    symlinkSync('/etc/passwd', join(d, 'fix.lock'));
    const r = runCli(['fix', '20125', '--apply', '--yes'], {
      env: { PORTDOCTOR_STATE_DIR: d, DOCKER_HOST: 'unix:///nonexistent/x.sock' },
    });
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/fix\.lock is a symbolic link \(to \/etc\/passwd\)/);
    expect(r.err).not.toMatch(/internal error| {4}at /);
  });
});
