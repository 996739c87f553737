// The path model on the lab's real captures (Docker 20.10, iptables-nft/legacy/nft) and on the
// Docker 28/29 rule sets in test/fixtures/engines, plus edits of those captures the way a firewall
// reload or an admin would make them (a wiped nat chain, a DOCKER-USER drop).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/model.js';
import { mergeViews, parseIptablesSave } from '../../src/collect/parse/iptables-save.js';
import { parseNftJson } from '../../src/collect/parse/nft.js';
import { describeOutcome, walkPath } from '../../src/path/index.js';
import { LAB, snapshotFromCapture } from '../helpers/lab-capture.js';
import { container, proc, snapshot, sock } from '../helpers/snapshot-builder.js';

const labText = (sc: string, f: string): string => readFileSync(join(LAB, sc, f), 'utf8');
const F = (p: string): string => readFileSync(new URL(`../fixtures/${p}`, import.meta.url), 'utf8');

/** the capture with its iptables-nft view rebuilt from edited nat/filter text */
function edited(sc: string, edit: (nat: string, filter: string) => [string, string]): Snapshot {
  const s = snapshotFromCapture(sc);
  const [nat, filter] = edit(labText(sc, 'iptables-nft-save-nat.txt'), labText(sc, 'iptables-nft-save-filter.txt'));
  const v = mergeViews('iptables-nft', [parseIptablesSave(nat + filter, 'iptables-nft', 'ip')]);
  return { ...s, iptablesNft: { ok: true, value: v, source: 'edited capture' } };
}

/** every view read, with rule sets (empty unless given) */
const read = () => {
  const empty = { ...mergeViews('iptables-nft', []), rulesets: [] };
  return {
    iptablesNft: empty,
    iptablesLegacy: { ...empty, backend: 'iptables-legacy' as const },
    nft: { ...empty, backend: 'nft' as const },
  };
};

const hopsOf = (w: ReturnType<typeof walkPath>, i = 0) =>
  (w.paths[i]?.hops ?? []).map((h) => `${h.table}/${h.chain}: ${h.verdict}`);

describe('path model on the lab captures (Docker 20.10)', () => {
  it('published port: outside → DNAT → FORWARD → DOCKER accept → the container', () => {
    const s = snapshotFromCapture('other-container');
    const w = walkPath(s, { proto: 'tcp', port: 18201, from: { kind: 'outside' } });
    expect(w.outcome).toMatchObject({
      kind: 'container',
      name: 'portlab-other-container-holder',
      ip: '172.17.0.2',
      port: 80,
    });
    expect(hopsOf(w)).toEqual([
      'nat/PREROUTING: jump DOCKER',
      'nat/DOCKER: dnat to 172.17.0.2:80',
      'filter/FORWARD: jump DOCKER-USER',
      'filter/DOCKER-USER: return',
      'filter/FORWARD: jump DOCKER-ISOLATION-STAGE-1',
      'filter/DOCKER-ISOLATION-STAGE-1: return',
      'filter/FORWARD: jump DOCKER',
      'filter/DOCKER: accept',
    ]);
    expect(w.paths[0]?.hops[1]?.rule).toBe(
      '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 18201 -j DNAT --to-destination 172.17.0.2:80',
    );
  });

  it('loopback from the host skips the DOCKER chain (! -d 127.0.0.0/8) and reaches docker-proxy', () => {
    const s = snapshotFromCapture('other-container');
    const w = walkPath(s, { proto: 'tcp', port: 18201, from: { kind: 'host', loopback: true } });
    expect(w.outcome).toMatchObject({ kind: 'docker-proxy', containerIp: '172.17.0.2', containerPort: 80 });
    expect(hopsOf(w).some((h) => h.startsWith('nat/'))).toBe(false);
  });

  it('a client in the container reaching its gateway: DOCKER returns for docker0, docker-proxy answers', () => {
    const s = snapshotFromCapture('other-container');
    const w = walkPath(s, {
      proto: 'tcp',
      port: 18201,
      from: { kind: 'container', name: 'portlab-other-container-holder' },
    });
    expect(w.packet).toMatchObject({ saddr: '172.17.0.2', daddr: '172.17.0.1', iif: 'docker0' });
    expect(hopsOf(w)).toContain('nat/DOCKER: return');
    expect(w.outcome.kind).toBe('docker-proxy');
  });

  it('a client in a container reaching localhost gets its own loopback, with what to use instead', () => {
    const s = snapshotFromCapture('other-container');
    const w = walkPath(s, {
      proto: 'tcp',
      port: 18201,
      from: { kind: 'container', name: 'portlab-other-container-holder' },
      daddr: '127.0.0.1',
    });
    expect(w.outcome.kind).toBe('own-loopback');
    if (w.outcome.kind === 'own-loopback') {
      expect(w.outcome.instead.join(' ')).toMatch(/host\.docker\.internal:18201/);
      expect(w.outcome.instead.join(' ')).toMatch(/172\.17\.0\.1:18201/);
    }
  });

  it("orphan DNAT ahead of Docker's: outside traffic goes to the dead IP and FORWARD's policy drops it; loopback still passes", () => {
    const s = snapshotFromCapture('orphan-dnat');
    const out = walkPath(s, { proto: 'tcp', port: 18401, from: { kind: 'outside' } });
    expect(out.outcome).toMatchObject({
      kind: 'dropped',
      verdict: 'drop',
      by: { chain: 'FORWARD', verdict: 'policy drop' },
    });
    expect(out.paths[0]?.hops[1]?.rule).toMatch(/--to-destination 172\.17\.0\.250:80/);
    const lo = walkPath(s, { proto: 'tcp', port: 18401, from: { kind: 'host', loopback: true } });
    expect(lo.outcome).toMatchObject({ kind: 'docker-proxy', containerIp: '172.17.0.2' });
  });

  it('orphan in iptables-legacy at the same priority: the winner depends on registration, so both paths are given', () => {
    const s = snapshotFromCapture('orphan-dnat-legacy');
    const w = walkPath(s, { proto: 'tcp', port: 18403, from: { kind: 'outside' } });
    expect(w.outcome.kind).toBe('unknown');
    expect(w.paths.map((p) => p.outcome.kind).sort()).toEqual(['container', 'dropped']);
    const legacyFirst = w.paths.find((p) => p.outcome.kind === 'dropped');
    expect(legacyFirst?.hops[1]).toMatchObject({ backend: 'iptables-legacy', verdict: 'dnat to 172.17.0.250:80' });
    expect(legacyFirst?.assumptions.join(' ')).toMatch(/boot history/);
  });

  it("orphan in its own nft table at priority -110 runs before Docker's nat (-100) and wins", () => {
    const s = snapshotFromCapture('orphan-dnat-nft-table');
    const w = walkPath(s, { proto: 'tcp', port: 18405, from: { kind: 'outside' } });
    expect(w.paths).toHaveLength(1);
    expect(w.paths[0]?.hops[0]).toMatchObject({
      backend: 'nft',
      table: 'portlab_orphan',
      verdict: 'dnat to 172.17.0.250:80',
    });
    expect(w.outcome.kind).toBe('dropped');
  });

  it("native nft rule in Docker's nat table (iptables-save blind): xt addrtype decoded from nft's text", () => {
    const s = snapshotFromCapture('orphan-dnat-nft');
    const w = walkPath(s, { proto: 'tcp', port: 18404, from: { kind: 'outside' } });
    expect(w.paths).toHaveLength(1);
    expect(w.paths[0]?.hops.map((h) => h.backend)).toContain('nft');
    expect(w.outcome.kind).toBe('dropped');
  });
});

describe('edited captures: what a firewall reload or an admin leaves', () => {
  const wipe = (nat: string): string => nat.replace(/^-A DOCKER .*DNAT.*\n/gm, '');
  it('wiped DNAT: outside traffic reaches the host itself, docker-proxy on 0.0.0.0 still carries it', () => {
    const s = edited('other-container', (nat, f) => [wipe(nat), f]);
    const w = walkPath(s, { proto: 'tcp', port: 18201, from: { kind: 'outside' } });
    expect(w.outcome).toMatchObject({ kind: 'docker-proxy', containerIp: '172.17.0.2' });
    expect(hopsOf(w)).toEqual(['nat/PREROUTING: jump DOCKER', 'filter/INPUT: policy accept']);
  });

  it('wiped DNAT with an INPUT policy of DROP: nothing answers, the drop is named', () => {
    const s = edited('other-container', (nat, f) => [wipe(nat), f.replace(':INPUT ACCEPT', ':INPUT DROP')]);
    const w = walkPath(s, { proto: 'tcp', port: 18201, from: { kind: 'outside' } });
    expect(w.outcome).toMatchObject({ kind: 'dropped', by: { chain: 'INPUT', verdict: 'policy drop' } });
  });

  it('a DOCKER-USER drop for the container IP is the rule that drops it, with its exact spec', () => {
    const s = edited('other-container', (nat, f) => [
      nat,
      f.replace(
        '-A DOCKER-USER -j RETURN',
        '-A DOCKER-USER -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -m comment --comment portdoctor-test -j DROP\n-A DOCKER-USER -j RETURN',
      ),
    ]);
    const w = walkPath(s, { proto: 'tcp', port: 18201, from: { kind: 'outside' } });
    expect(w.outcome.kind).toBe('dropped');
    if (w.outcome.kind === 'dropped') {
      expect(w.outcome.by).toMatchObject({ table: 'filter', chain: 'DOCKER-USER', comment: 'portdoctor-test' });
      expect(w.outcome.by.spec).toEqual([
        '-d',
        '172.17.0.2/32',
        '-p',
        'tcp',
        '-m',
        'tcp',
        '--dport',
        '80',
        '-m',
        'comment',
        '--comment',
        'portdoctor-test',
        '-j',
        'DROP',
      ]);
    }
    // the host's own connections do not cross FORWARD: loopback still works
    expect(walkPath(s, { proto: 'tcp', port: 18201, from: { kind: 'host', loopback: true } }).outcome.kind).toBe(
      'docker-proxy',
    );
  });

  it('a DOCKER-USER drop by source network forks: the client address decides', () => {
    const s = edited('other-container', (nat, f) => [
      nat,
      f.replace(
        '-A DOCKER-USER -j RETURN',
        '-A DOCKER-USER -s 10.0.0.0/8 -j REJECT --reject-with icmp-port-unreachable\n-A DOCKER-USER -j RETURN',
      ),
    ]);
    const w = walkPath(s, { proto: 'tcp', port: 18201, from: { kind: 'outside' } });
    expect(w.outcome.kind).toBe('unknown');
    expect(w.paths.map((p) => p.outcome.kind).sort()).toEqual(['container', 'dropped']);
    expect(w.paths.find((p) => p.outcome.kind === 'dropped')?.assumptions[0]).toMatch(/source 10\.0\.0\.0\/8/);
  });
});

describe('Docker 28 and 29 rule sets', () => {
  const c28 = [
    container('aa', 'web', '172.17.0.2', [['0.0.0.0', 8080, 80]], {
      networks: [{ name: 'bridge', id: 'n'.repeat(64), ip: '172.17.0.2', prefixLen: 16, gateway: '172.17.0.1' }],
    }),
    container('bb', 'lo-only', '172.17.0.3', [['127.0.0.1', 9090, 90]]),
  ];
  const ipt28 = () =>
    mergeViews('iptables-nft', [parseIptablesSave(F('engines/docker28-iptables-nat.txt'), 'iptables-nft', 'ip')]);

  it('28.x: the raw PREROUTING drop stops direct access to the container IP from outside', () => {
    const s = snapshot({
      ...read(),
      containers: c28,
      iptablesNft: ipt28(),
      host: { localAddrs: ['127.0.0.1', '192.0.2.10', '172.17.0.1'], defaultIface: 'eth0' },
    });
    const direct = walkPath(s, { proto: 'tcp', port: 80, from: { kind: 'outside' }, daddr: '172.17.0.2' });
    expect(direct.outcome).toMatchObject({ kind: 'dropped', by: { table: 'raw', chain: 'PREROUTING' } });
    const published = walkPath(s, { proto: 'tcp', port: 8080, from: { kind: 'outside' }, daddr: '192.0.2.10' });
    expect(published.outcome).toMatchObject({ kind: 'container', name: 'web', port: 80 });
  });

  it('28.x: a 127.0.0.1 binding is dropped in raw when it arrives from outside (DROP REMOTE LOOPBACK)', () => {
    const s = snapshot({
      ...read(),
      containers: c28,
      iptablesNft: ipt28(),
      host: { localAddrs: ['127.0.0.1', '192.0.2.10'], defaultIface: 'eth0' },
    });
    const w = walkPath(s, { proto: 'tcp', port: 9090, from: { kind: 'outside' }, daddr: '127.0.0.1' });
    expect(w.outcome).toMatchObject({
      kind: 'dropped',
      by: { table: 'raw', rule: expect.stringMatching(/! -i lo .*--dport 9090 -j DROP/) },
    });
  });

  it('29.x nftables backend: docker-bridges DNAT, then the per-bridge verdict map accepts the published port', () => {
    const nft = parseNftJson(F('engines/docker29-nftables.json'), { text: F('engines/docker29-nftables.txt') });
    const s = snapshot({
      ...read(),
      containers: c28,
      engine: { firewallBackend: 'nftables' },
      nft,
      host: { localAddrs: ['127.0.0.1', '192.0.2.10'], defaultIface: 'eth0' },
    });
    const w = walkPath(s, { proto: 'tcp', port: 8080, from: { kind: 'outside' }, daddr: '192.0.2.10' });
    expect(w.outcome).toMatchObject({ kind: 'container', name: 'web', port: 80 });
    expect(hopsOf(w)).toContain('docker-bridges/nat-prerouting-and-output: dnat to 172.17.0.2:80');
    const orphan = walkPath(s, { proto: 'tcp', port: 8081, from: { kind: 'outside' }, daddr: '192.0.2.10' });
    expect(orphan.outcome.kind).toMatch(/dropped|blackhole/);
  });

  it('no rules and no listener: connection refused; a host process answers when it listens', () => {
    const empty = { ...mergeViews('iptables-nft', []), rulesets: [] };
    const base = {
      iptablesNft: empty,
      iptablesLegacy: { ...empty, backend: 'iptables-legacy' as const },
      nft: { ...empty, backend: 'nft' as const },
    };
    expect(walkPath(snapshot(base), { proto: 'udp', port: 25000, from: { kind: 'outside' } }).outcome.kind).toBe(
      'no-listener',
    );
    const s = snapshot({
      ...base,
      sockets: [sock('udp', '0.0.0.0', 25000, [4242])],
      processes: [proc(4242, 'dnsmasq')],
    });
    expect(walkPath(s, { proto: 'udp', port: 25000, from: { kind: 'outside' } }).outcome).toMatchObject({
      kind: 'host-socket',
      comm: 'dnsmasq',
      pid: 4242,
    });
  });

  it('a firewall view that could not be read makes the answer unknown, never a guess', () => {
    const s = { ...snapshotFromCapture('other-container') };
    const blind: Snapshot = {
      ...s,
      iptablesLegacy: { ok: false, error: { code: 'denied', message: 'permission denied' }, source: 'x' },
    };
    const w = walkPath(blind, { proto: 'tcp', port: 18201, from: { kind: 'outside' } });
    expect(w.outcome.kind).toBe('unknown');
    expect(describeOutcome(w.outcome)).toMatch(/iptables-legacy: permission denied/);
  });
});
