// The exporter unit's capability set, measured: the exporter and `collect` run as root under exactly the
// unit's CapabilityBoundingSet (setpriv, as systemd applies it to a root service: bounding set, no
// inheritable or ambient caps, no_new_privs) and every collector succeeds and names every owner, as with
// full root. Each capability is then dropped in turn: the collector that needs it fails, naming it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, dockerReady, portBlock, ROOT, sh } from './helpers.js';

const P = portBlock(83);
const UNIT = readFileSync(join(ROOT, 'deploy/systemd/portdoctor-exporter.service'), 'utf8');
const CAPS = (/^CapabilityBoundingSet=(.*)$/m.exec(UNIT)?.[1] ?? '').split(/\s+/).filter(Boolean);
const notReady = dockerReady() ?? (spawnSync('setpriv', ['--version']).status === 0 ? null : 'no setpriv');
const dir = mkdtempSync(join(tmpdir(), 'pdcaps-'));
const children: ChildProcess[] = [];
let legacyChain = false;

const setpriv = (caps: readonly string[]): string[] => [
  'setpriv',
  `--bounding-set=-all${caps.map((c) => `,+${c.replace(/^CAP_/, '').toLowerCase()}`).join('')}`,
  '--inh-caps=-all',
  '--ambient-caps=-all',
  '--no-new-privs',
  '--',
];
const env = { ...process.env, PORTDOCTOR_TEST: '1', NO_COLOR: '1' };

interface FactLike {
  ok: boolean;
  error?: { code: string; message: string };
  notes?: string[];
  value?: unknown;
}
function collectUnder(caps: readonly string[]): { facts: Record<string, FactLike>; text: string } {
  const out = join(dir, `snap-${caps.length}-${Date.now()}.json`);
  const [cmd, ...args] = [...setpriv(caps), BIN, 'collect', '--out', out, '--port', String(P(1))];
  const r = spawnSync(cmd as string, args, { encoding: 'utf8', env, timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  const snap = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
  const facts = Object.fromEntries(
    Object.entries(snap).filter(
      (e): e is [string, FactLike] => typeof e[1] === 'object' && e[1] !== null && 'ok' in e[1],
    ),
  );
  const text = Object.values(facts)
    .flatMap((f) => [f.error?.message ?? '', ...(f.notes ?? [])])
    .join('\n');
  return { facts, text };
}

/** `caps` null: full root, as the baseline. */
async function metricsUnder(caps: readonly string[] | null, port: number): Promise<string> {
  const [cmd, ...args] = [
    ...(caps ? setpriv(caps) : []),
    BIN,
    'exporter',
    '--listen',
    `127.0.0.1:${port}`,
    '--cache-seconds',
    '0',
    '--no-events',
  ];
  const child = spawn(cmd as string, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  const t0 = Date.now();
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) });
      const text = await r.text();
      if (/^portdoctor_collections_total [1-9]/m.test(text)) {
        child.kill('SIGTERM');
        return text;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() - t0 > 30_000) throw new Error('the exporter did not answer in 30 s');
    await new Promise((r) => setTimeout(r, 200));
  }
}
const series = (text: string, re: RegExp): string[] => text.split('\n').filter((l) => re.test(l));

describe.skipIf(notReady !== null)(`systemd unit capabilities${notReady ? ` (skipped: ${notReady})` : ''}`, () => {
  beforeAll(async () => {
    // a socket of another user: only CAP_SYS_PTRACE + CAP_DAC_READ_SEARCH let root without the rest see its owner
    const nobody = spawn(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        '--',
        process.execPath,
        '-e',
        `require('net').createServer().listen(${P(1)}, '127.0.0.1'); setInterval(() => {}, 1e6)`,
      ],
      { env, stdio: 'ignore' },
    );
    children.push(nobody);
    for (let i = 0; i < 50 && !sh(['ss', '-Hltn', `sport = :${P(1)}`]).stdout.trim(); i++)
      await new Promise((r) => setTimeout(r, 100));
    // iptables-legacy-save runs only when a legacy table exists: make sure one does (an empty chain of ours)
    if (!readFileSync('/proc/net/ip_tables_names', 'utf8').includes('nat')) {
      sh(['iptables-legacy', '-w', '-t', 'nat', '-N', 'PDTEST-CAPS']);
      legacyChain = true;
    }
  });
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    if (legacyChain) sh(['iptables-legacy', '-w', '-t', 'nat', '-X', 'PDTEST-CAPS'], { allowFail: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('the unit grants exactly these', () => {
    expect([...CAPS].sort()).toEqual(['CAP_DAC_READ_SEARCH', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_SYS_PTRACE']);
  });

  it('collect under the unit set: every collector succeeds and the other user’s socket has its owner', () => {
    const { facts, text } = collectUnder(CAPS);
    for (const [k, f] of Object.entries(facts)) if (k !== 'probe') expect(f.ok, `${k}: ${f.error?.message}`).toBe(true);
    expect(text).not.toMatch(/denied|could not be read|run as root|CAP_/);
    const sockets = facts.sockets?.value as Array<{ port: number; pids: number[] }>;
    const mine = sockets.filter((s) => s.port === P(1));
    expect(mine.length).toBe(1);
    expect(mine[0]?.pids.length).toBe(1);
    const procs = facts.processes?.value as Array<{ pid: number; uid: number; exe: string | null }>;
    expect(procs.find((p) => p.pid === mine[0]?.pids[0])).toMatchObject({ uid: 65534, exe: process.execPath });
  });

  it.each([
    ['CAP_NET_ADMIN', /nft: permission denied \(running as root without CAP_NET_ADMIN/],
    ['CAP_NET_RAW', /iptables-legacy-save: permission denied \(running as root without CAP_NET_RAW:/],
    ['CAP_SYS_PTRACE', /file descriptors could not be read.*running as root without CAP_SYS_PTRACE:/],
    ['CAP_DAC_READ_SEARCH', /file descriptors could not be read.*running as root without CAP_DAC_READ_SEARCH:/],
  ])('without %s a collector fails and names it', (cap, expected) => {
    const { text } = collectUnder(CAPS.filter((c) => c !== cap));
    expect(text).toMatch(expected);
    expect(text).not.toMatch(/run as root/);
  });

  it('the exporter under the unit set reports no collector error and sees the owners full root sees', async () => {
    const full = await metricsUnder(null, P(2));
    const unit = await metricsUnder(CAPS, P(3));
    // the bind probe answers only questions about a port: the exporter asks none, and says no error for it
    const errors = (t: string) => series(t, /^portdoctor_collect_errors\{.*\} 1$/);
    expect(errors(unit)).toEqual([]);
    expect(errors(full)).toEqual([]);
    expect(series(unit, /^portdoctor_collections_total /)).not.toEqual([]);
    const logSource = (t: string) => series(t, /^portdoctor_daemon_log_source_info\{.*\} 1$/);
    expect(logSource(unit)).toEqual(logSource(full));
    expect(logSource(unit).join()).not.toContain('none');
    const unseen = (t: string) => series(t, /^portdoctor_listening_sockets\{owner_kind="unseen"\}/);
    expect(unseen(unit)).toEqual(unseen(full));
    expect(series(unit, /^portdoctor_listening_sockets\{owner_kind="process"\}/)).toEqual(
      series(full, /^portdoctor_listening_sockets\{owner_kind="process"\}/),
    );
  });
});
