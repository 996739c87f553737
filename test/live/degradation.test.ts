// Missing evidence on the real host: no docker socket, not root, no nft binary, a hung command.
// The answer must name what is missing and never be a wrong cause (nor "port-free").
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { collectSnapshot } from '../../src/collect/index.js';
import { nodeHostIO, type HostIO } from '../../src/collect/host-io.js';
import { diagnose } from '../../src/diagnose.js';
import { BIN, diagnoseJson, dockerReady, Lab, portBlock, TAG } from './helpers.js';

const P = portBlock(1);
const lab = new Lab();
afterEach(() => lab.cleanup());
const notReady = dockerReady();

/** the real host, except for the commands named here */
function withExec(over: Record<string, 'absent' | 'hang'>): HostIO {
  const io = nodeHostIO();
  return {
    ...io,
    exec: (argv, o) => {
      const what = over[argv[0] as string];
      if (what === 'absent') return Promise.resolve({ code: null, stdout: '', stderr: '', error: 'absent' as const });
      if (what === 'hang') return io.exec(['sleep', '30'], o); // killed by the collector's own timeout
      return io.exec(argv, o);
    },
  };
}

describe.skipIf(notReady !== null)(`degradation on the real host${notReady ? ` (skipped: ${notReady})` : ''}`, () => {
  it('no docker socket: a host process is still named (kernel evidence); a free port is "unknown", not "port-free"', async () => {
    const busy = P(1);
    const pid = await lab.hold({ proto: 'tcp', host: '0.0.0.0', port: busy });
    const env = { DOCKER_HOST: 'unix:///nonexistent/docker.sock' };
    const d = diagnoseJson(String(busy), [], env);
    expect(d.json.verdict.cause).toBe('host-process');
    expect(d.json.verdict.confidence).not.toBe('certain');
    expect(d.json.holders[0]).toMatchObject({ pid });
    const free = diagnoseJson(String(P(2)), [], env);
    expect(free.json.verdict.cause).toBe('unknown');
    expect(free.code).toBe(3);
    expect(free.json.verdict.summary).toMatch(/nonexistent\/docker\.sock/);
  });

  it('not root: the socket is seen, its owner is not → unknown naming the uid, never host-process or port-free', async () => {
    const port = P(3);
    await lab.hold({ proto: 'tcp', host: '0.0.0.0', port });
    accessSync(BIN, constants.X_OK);
    const r = spawnSync(
      'setpriv',
      ['--reuid=65534', '--regid=65534', '--clear-groups', BIN, 'diagnose', String(port), '--json'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.stderr).not.toMatch(/internal error|at .*\.js:\d+/);
    const j = JSON.parse(r.stdout) as {
      verdict: { cause: string; summary: string };
      holders: unknown[];
      collectionErrors: Array<{ fact: string; code: string }>;
    };
    expect(j.verdict.cause).toBe('unknown');
    expect(j.verdict.summary).toMatch(/uid 0/);
    expect(j.collectionErrors.map((e) => e.fact)).toEqual(
      expect.arrayContaining(['engine', 'containers', 'iptablesNft']),
    );
    expect(j.collectionErrors.find((e) => e.fact === 'engine')?.code).toBe('denied');
    expect(r.status).toBe(3);
  });

  it('no nft binary: an orphan that only nft can show is not missed silently — "unknown", naming nft', async () => {
    const port = P(4);
    const table = 'portdoctor_test_degrade';
    lab.apply(['nft', 'add', 'table', 'ip', table], ['nft', 'delete', 'table', 'ip', table]); // our own table
    lab.apply(
      ['nft', 'add', 'chain', 'ip', table, 'pre', '{ type nat hook prerouting priority -110; policy accept; }'],
      () => {},
    );
    lab.apply(
      [
        'nft',
        'add',
        'rule',
        'ip',
        table,
        'pre',
        'tcp',
        'dport',
        String(port),
        'dnat',
        'to',
        '172.17.0.250:80',
        'comment',
        `"${TAG}"`,
      ],
      () => {},
    );
    const full = diagnose(await collectSnapshot(nodeHostIO(), { ports: [port] }), { proto: 'tcp', ip: null, port });
    expect(full.verdict.cause).toBe('orphan-dnat');
    const blind = diagnose(await collectSnapshot(withExec({ nft: 'absent' }), { ports: [port] }), {
      proto: 'tcp',
      ip: null,
      port,
    });
    expect(blind.verdict.cause).toBe('unknown');
    expect(blind.collectionErrors).toContainEqual(expect.objectContaining({ fact: 'nft', code: 'absent' }));
    expect(blind.verdict.summary).toMatch(/nft/);
  });

  it("no ss: sockets come from /proc/net; the holder is still named, a [::] holder's v6only is unknown and said so", async () => {
    const port = P(6);
    const pid = await lab.hold({ proto: 'tcp', host: '0.0.0.0', port });
    const d = diagnose(await collectSnapshot(withExec({ ss: 'absent' }), { ports: [port] }), {
      proto: 'tcp',
      ip: null,
      port,
    });
    expect(d.verdict.cause).toBe('host-process');
    expect(d.holders[0]).toMatchObject({ kind: 'process', pid });
    const p6 = P(7);
    const pid6 = await lab.hold({ proto: 'tcp', host: '::', port: p6, v6only: true });
    const s6 = await collectSnapshot(withExec({ ss: 'absent' }), { ports: [p6], probe: false });
    expect(s6.sockets.ok && s6.sockets.notes?.join(' ')).toMatch(/v6only unknown/);
    const d6 = diagnose(s6, { proto: 'tcp', ip: '0.0.0.0', port: p6 });
    // a v6-only holder does not block 0.0.0.0, but without ss (and without the bind probe) that cannot be known: "likely", never "certain"
    expect(d6.verdict.cause).toBe('host-process');
    expect(d6.verdict.confidence).toBe('likely');
    expect(d6.holders[0]).toMatchObject({ pid: pid6 });
    // the bind probe asks the kernel instead: 0.0.0.0 binds beside a v6-only [::] holder
    const probed = diagnose(await collectSnapshot(withExec({ ss: 'absent' }), { ports: [p6] }), {
      proto: 'tcp',
      ip: '0.0.0.0',
      port: p6,
    });
    expect(probed.verdict.cause).toBe('port-free');
  });

  it('on a busy host sockets come from ss with a kernel-side port filter: same holder, and v6only read', async () => {
    const port = P(8);
    const pid = await lab.hold({ proto: 'tcp', host: '::', port, v6only: false });
    const io = nodeHostIO();
    const busy: HostIO = {
      ...io,
      readText: (p) => (p === '/proc/net/sockstat' ? 'TCP: inuse 5000 orphan 0\nUDP: inuse 1000\n' : io.readText(p)),
    };
    const snap = await collectSnapshot(busy, { ports: [port] });
    expect(snap.sockets.ok && snap.sockets.source).toMatch(/^ss /);
    const d = diagnose(snap, { proto: 'tcp', ip: '127.0.0.1', port });
    expect(d.verdict).toMatchObject({ cause: 'host-process', confidence: 'certain' });
    expect(d.holders[0]).toMatchObject({ pid, bind: { ip: '::', v6only: false } });
  });

  it('a hung iptables-save: the collector times out, says so, and the verdict is not port-free', async () => {
    const port = P(5);
    const t0 = Date.now();
    const snap = await collectSnapshot(withExec({ 'iptables-nft-save': 'hang', 'iptables-save': 'hang' }), {
      ports: [port],
      timeoutMs: 700,
    });
    expect(Date.now() - t0).toBeLessThan(5_000);
    const d = diagnose(snap, { proto: 'tcp', ip: null, port });
    expect(d.collectionErrors).toContainEqual(expect.objectContaining({ fact: 'iptablesNft', code: 'timeout' }));
    expect(d.verdict.cause).toBe('unknown');
  });
});
