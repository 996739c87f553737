// The built CLI, spawned as users run it: bad input gets a clear error and exit 2, no stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveSnapshot } from '../../src/snapshot/io.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';
import { checkCliOutput } from '../helpers/json-schema.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const run = (args: string[], input?: string) => {
  const r = spawnSync(join(ROOT, 'bin/portdoctor'), args, {
    encoding: 'utf8',
    input,
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  checkCliOutput(args, r.stdout);
  return { code: r.status, out: r.stdout, err: r.stderr };
};

// dist/ is built once by the unit project's globalSetup (test/helpers/build-once.ts)

describe('bad input', () => {
  it.each([
    [['diagnose', '70000'], /out of range/],
    [['diagnose', '8080/sctp'], /protocol "sctp".*tcp or udp/],
    [['diagnose', 'foo:8080'], /"foo" .*not an IP address/],
    [['diagnose', 'http://x'], /not PORT\[\/PROTO\]/],
    [['diagnose'], /which port\?/],
    [['diagnose', '--error', 'hello'], /not recognised[\s\S]*which port\?/],
    [['diagnose', '8080', '--timeout', 'soon'], /--timeout "soon"/],
    [['diagnose', '8080', '--from', '/nonexistent.json'], /cannot read snapshot \/nonexistent\.json: no such file/],
    [['explain'], /nothing to explain/],
    [['collect'], /collect needs --out FILE/],
    [['fix', '20001', '--apply'], /with no terminal, add --yes/],
    [['fix', '20001', '--undo'], /--undo takes no target/],
    [['frobnicate'], /unknown command/],
  ])('%j → exit 2 and says what to do', (args, msg) => {
    const r = run(args as string[]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg as RegExp);
    expect(r.err).not.toMatch(/\n\s+at .*:\d+:\d+/);
  });
  it('a snapshot file that is not one is refused with its name and the fix', () => {
    const d = mkdtempSync(join(tmpdir(), 'pdcli-'));
    writeFileSync(join(d, 'x.json'), '{"schema":"nope"}');
    writeFileSync(join(d, 'y.json'), 'not json');
    expect(run(['diagnose', '1', '--from', join(d, 'x.json')]).err).toMatch(
      /is not a portdoctor snapshot .*portdoctor collect --out/,
    );
    expect(run(['diagnose', '1', '--from', join(d, 'y.json')]).err).toMatch(/is not JSON/);
  });
});

describe('diagnose --from a recorded snapshot (no host access)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pdcli-'));
  const file = join(dir, 'other-container.json');
  saveSnapshot(file, snapshotFromCapture('other-container'));
  it('--json follows the contract and exit code 1 for a conflict', () => {
    const r = run(['diagnose', '18201', '--json', '--from', file]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(
      expect.arrayContaining(['schema', 'subject', 'verdict', 'holders', 'findings', 'inconclusive']),
    );
    expect(j.subject).toMatchObject({ proto: 'tcp', ip: '0.0.0.0', port: 18201 });
    expect(j.verdict).toMatchObject({ cause: 'container', confidence: 'certain' });
    expect(j.holders[0]).toMatchObject({ kind: 'container', name: 'portlab-other-container-holder' });
  });
  it('a port given only in --error is enough (read from stdin with -)', () => {
    const err =
      'docker: Error response from daemon: driver failed programming external connectivity on endpoint x (y): Error starting userland proxy: listen tcp4 127.0.0.1:18201: bind: address already in use.';
    const r = run(['diagnose', '--error', '-', '--json', '--from', file], err);
    const j = JSON.parse(r.out);
    expect(j.subject).toMatchObject({ ip: '127.0.0.1', port: 18201 });
    expect(j.verdict.cause).toBe('container');
    expect(j.symptom).toMatchObject({ stage: 'userland-proxy' });
  });
  it('human output: verdict first, then evidence, then fix commands', () => {
    const r = run(['diagnose', '18201', '--from', file]);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^container \(certain\): Container portlab-other-container-holder/);
    expect(r.out.indexOf('Evidence')).toBeLessThan(r.out.indexOf('Fix'));
    expect(r.out).toMatch(/\$ docker stop [0-9a-f]{64}/);
    expect(r.out).toMatch(/disrupts: container portlab-other-container-holder/);
  });
  it('port-free exits 0', () => {
    expect(run(['diagnose', '18201/udp', '--from', file]).code).toBe(0);
  });
});

describe('ports --from a recorded snapshot', () => {
  it('prints {ports:[{proto, ip, port, status, owners}]} and exits 1 when something is not ok', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pdcli-'));
    const file = join(dir, 'orphan.json');
    saveSnapshot(file, snapshotFromCapture('orphan-dnat/before-run'));
    const r = run(['ports', '--json', '--from', file, '--port', '18401']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).ports).toEqual([
      expect.objectContaining({
        proto: 'tcp',
        ip: '0.0.0.0',
        port: 18401,
        status: 'orphan-rule',
        owners: [expect.objectContaining({ kind: 'rule', orphan: true })],
      }),
    ]);
    const table = run(['ports', '--from', file, '--conflicts']);
    expect(table.out.split('\n')[0]).toMatch(/^PROTO\s+ADDRESS\s+STATUS\s+OWNERS/);
    expect(table.out).toMatch(
      /tcp\s+0\.0\.0\.0:18401\s+orphan-rule\s+iptables-nft nat\/DOCKER DNAT→172\.17\.0\.250:80 \(orphan\)/,
    );
  });
});

describe('explain', () => {
  it('--json prints {stage, subject, engine, meaning, next, explanations}', () => {
    const r = run(['explain', '--json', 'Bind for 0.0.0.0:8080 failed: port is already allocated']);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ stage: 'port-allocator', subject: { port: 8080, ip: '0.0.0.0' }, conflict: true });
    expect(j.next.length).toBeGreaterThan(0);
    expect(j.explanations).toHaveLength(1);
    expect(r.code).toBe(1);
  });
  it('reads a whole log on stdin; a look-alike exits 0, an unrecognised text 3', () => {
    expect(run(['explain', '-'], 'listen tcp 10.9.9.9:80: bind: cannot assign requested address').code).toBe(0);
    expect(run(['explain', 'all good']).code).toBe(3);
  });
});

describe('--version', () => {
  it('prints the version', () => {
    expect(run(['--version']).out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
