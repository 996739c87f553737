// explain() over the whole corpus, the lab's real outputs, and what users really paste.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { explain, primary } from '../../src/explain/explain.js';
import { PATTERNS } from '../../src/explain/patterns.js';
import { STAGES } from '../../src/explain/stages.js';
import { CORPUS, attemptError } from '../helpers/lab-capture.js';
import { loadPublicCorpus } from '../helpers/public-corpus.js';

interface Entry {
  message: string;
  stage: string;
  port: number | null;
  engine: string;
  kind: string;
}
const corpus = JSON.parse(readFileSync(CORPUS, 'utf8')) as Entry[];

describe('every corpus entry', () => {
  it('has a stage from the vocabulary', () => {
    for (const e of corpus) expect(STAGES).toContain(e.stage);
  });
  corpus.forEach((e, i) => {
    it(`#${i} ${e.stage}: ${e.message.slice(0, 70).replace(/\n/g, '⏎')}`, () => {
      // the engine field is what the user knows about their setup (e.g. "rootless")
      const r = explain(e.message, { rootless: /rootless/i.test(e.engine) });
      expect(r.explanations).toHaveLength(1);
      const x = r.explanations[0]!;
      expect(x.stage).toBe(e.stage);
      if (e.port !== null && e.message.includes(String(e.port))) expect(x.subject.port).toBe(e.port);
      // a port that is not in the text is never invented
      else expect(x.subject.port).toBeNull();
    });
  });
  it('the table covers every stage and each pattern is used by the corpus', () => {
    // the hand-made corpus and the one from public threads (test/fixtures/corpus/public-errors.json)
    const used = new Set(
      [...corpus, ...loadPublicCorpus()].flatMap((e) =>
        explain(e.message, { rootless: /rootless/i.test(e.engine) }).explanations.map((x) => x.pattern),
      ),
    );
    const unused = PATTERNS.map((p) => p.id).filter((id) => !used.has(id));
    // every pattern is met in a real message (compose v1's untrustworthy line in a Portainer log of
    // the public corpus); the bare kernel EADDRINUSE is the fallback for a line pasted without the
    // engine's words (tested below), whether or not a corpus entry reaches it
    expect(unused.filter((id) => id !== 'kernel-eaddrinuse')).toEqual([]);
  });
  it("a bare EADDRINUSE is a host bind only in the engine's words (the fallback); Go's bare listen error is an application's", () => {
    // every engine wraps Go's net error in words of its own; without them it is an application's log
    expect(primary(explain('listen tcp 0.0.0.0:20001: bind: address already in use'))).toMatchObject({
      pattern: 'app-own-listen',
      stage: 'other',
      subject: { port: 20001, ip: '0.0.0.0', proto: 'tcp' },
    });
    // tcp4/tcp6 are docker-proxy's network names: its error quoted without the daemon's wrapper
    expect(primary(explain('listen tcp4 0.0.0.0:20001: bind: address already in use'))).toMatchObject({
      pattern: 'docker-proxy-bare',
      stage: 'userland-proxy',
    });
    // the daemon's words around the bare error: the kernel fallback
    expect(
      primary(explain('Error response from daemon: listen tcp 0.0.0.0:20001: bind: address already in use')),
    ).toMatchObject({ pattern: 'kernel-eaddrinuse', stage: 'host-bind', subject: { port: 20001 } });
    // with Go's log prefix it is an application's own log line (a host-network container), not the engine
    expect(
      primary(explain('2023/04/21 21:51:23 listen tcp 127.0.0.1:20001: bind: address already in use')),
    ).toMatchObject({
      pattern: 'app-own-bind',
      subject: { port: 20001 },
    });
  });
});

describe('subjects', () => {
  const s = (t: string) => primary(explain(t))?.subject;
  it('IPv6 without brackets (:::10000), with brackets, tcp4/tcp6 families, udp', () => {
    expect(s('Bind for :::10000 failed: port is already allocated')).toMatchObject({
      ip: '::',
      port: 10000,
      family: 6,
    });
    expect(s('Error starting userland proxy: listen tcp6 [::]:18103: bind: address already in use')).toMatchObject({
      ip: '::',
      port: 18103,
      proto: 'tcp',
      family: 6,
    });
    expect(s('failed to bind host port [::1]:20001/udp: address already in use')).toMatchObject({
      ip: '::1',
      port: 20001,
      proto: 'udp',
    });
  });
  it('a range and the one port inside it that failed', () => {
    expect(s('failed to bind host port 8081 for 0.0.0.0:8080-8082:172.19.0.2:82/tcp')).toMatchObject({
      port: 8081,
      range: { start: 8080, end: 8082 },
    });
    expect(
      s(
        'level=warning msg="Failed to allocate and map port 8080-8082: Bind for 0.0.0.0:8081 failed: port is already allocated"',
      ),
    ).toMatchObject({ port: 8081, range: { start: 8080, end: 8082 } });
    expect(
      s(
        "Error: pasta failed with exit code 1:\nFailed to bind port 2223 (Address already in use) for option '-t 2222-2224:22-24', exiting",
      ),
    ).toMatchObject({ port: 2223, proto: 'tcp', range: { start: 2222, end: 2224 } });
  });
});

describe('what users paste', () => {
  const lab = attemptError('host-process', 'default');
  it('CRLF, trailing dots, mixed case, CLI prefixes', () => {
    for (const t of [
      lab.replace(/\n/g, '\r\n'),
      'error response from daemon: Error starting userland proxy: listen tcp4 0.0.0.0:18101: bind: address already in use.',
      'ERROR: for web  Cannot start service web: driver failed programming external connectivity on endpoint x_web_1 (abc): Error starting userland proxy: listen tcp4 0.0.0.0:18101: bind: address already in use',
    ]) {
      expect(primary(explain(t))).toMatchObject({
        stage: 'userland-proxy',
        subject: { port: 18101, ip: '0.0.0.0', proto: 'tcp' },
      });
    }
  });
  it('a JSON API body, escaped', () => {
    const body = readFileSync(
      new URL('../fixtures/lab/killed-proxy/attempts/default.api-start.txt', import.meta.url),
      'utf8',
    ).split('\n')[0] as string;
    expect(primary(explain(body))).toMatchObject({ stage: 'port-allocator', subject: { port: 18601 } });
    expect(
      primary(
        explain(
          '{"message":"driver failed programming external connectivity on endpoint a (b): Bind for 0.0.0.0:20001 failed: port is already allocated"}',
        ),
      )?.subject.port,
    ).toBe(20001);
  });
  it('a line a terminal wrapped mid-word', () => {
    const wrapped =
      'docker: Error response from daemon: driver failed programming external connectivity on endpoint x (y): Error starting userland proxy: listen tcp4 0.0.0.0:20\n001: bind: address alrea\ndy in use.';
    expect(primary(explain(wrapped))).toMatchObject({ stage: 'userland-proxy', subject: { port: 20001 } });
  });
  it('a Windows path prefix', () => {
    const t =
      'C:\\Program Files\\Docker\\Docker\\Resources\\bin\\docker.exe: Error response from daemon: Ports are not available: listen tcp 0.0.0.0:5000: bind: address already in use.';
    expect(primary(explain(t))).toMatchObject({ stage: 'desktop-vpnkit', subject: { port: 5000 } });
  });
  it('a whole compose v1 log: one explanation per failure, and the untrustworthy line called out', () => {
    const log = readFileSync(
      new URL('../fixtures/lab/compose-duplicate/attempts/compose-v1-up.stderr', import.meta.url),
      'utf8',
    );
    const r = explain(log);
    expect(r.explanations.map((e) => e.pattern)).toEqual(['compose-v1-host-in-use', 'port-allocator']);
    expect(primary(r)).toMatchObject({
      stage: 'port-allocator',
      subject: { port: 18801 },
      service: 'portlabdup_web-b_1',
    });
    // compose v1 says "another container" even for a host process
    const host = explain(
      readFileSync(
        new URL('../fixtures/lab/compose-duplicate/attempts/compose-v1-hostproc.stderr', import.meta.url),
        'utf8',
      ),
    );
    expect(primary(host)).toMatchObject({ stage: 'userland-proxy', subject: { port: 18803 } });
  });
  it('several services failing in one log → several explanations', () => {
    const log = [
      'Container a-web-1  Error',
      'Error response from daemon: driver failed programming external connectivity on endpoint a-web-1 (x): Bind for 0.0.0.0:20001 failed: port is already allocated',
      'Error response from daemon: failed to set up container networking: driver failed programming external connectivity on endpoint a-db-1 (y): failed to bind host port 0.0.0.0:20002/tcp: address already in use',
    ].join('\n');
    expect(explain(log).explanations.map((e) => [e.stage, e.subject.port])).toEqual([
      ['port-allocator', 20001],
      ['host-bind', 20002],
    ]);
  });
  it('look-alikes are not conflicts', () => {
    for (const t of [
      'listen tcp 172.17.42.1:10000: bind: cannot assign requested address',
      "cannot expose privileged port 80, you can add 'net.ipv4.ip_unprivileged_port_start=80'",
      'listen tcp6 [::]:8080: socket: address family not supported by protocol',
      'nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address in use)',
      'iptables failed: iptables --wait -t nat -A DOCKER -p tcp -d 0/0 --dport 10000 -j DNAT: iptables: No chain/target/match by that name.',
    ]) {
      expect(primary(explain(t))?.conflict, t).toBe(false);
    }
  });
  it('text that is no port error explains nothing', () => {
    expect(explain('hello world\nall good').explanations).toEqual([]);
    expect(explain('').explanations).toEqual([]);
  });
});

describe('hostile input never throws and never hangs', () => {
  const rnd = (n: number, seed: number): string => {
    let x = seed;
    let s = '';
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      s += String.fromCharCode(x % 0x2500);
    }
    return s;
  };
  it('random unicode, binary, huge, deeply nested quotes and escapes, each under a time bound', () => {
    const inputs = [
      rnd(200_000, 1),
      Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 256)).toString('latin1'),
      '"'.repeat(100_000) + 'Bind for 0.0.0.0:1 failed: port is already allocated' + '"'.repeat(100_000),
      '{"message":"' + '\\"'.repeat(50_000) + '"}',
      'listen tcp4 '.repeat(50_000),
      'Bind for '.repeat(40_000) + ':' + '9'.repeat(10_000),
      'failed to bind host port '.repeat(20_000) + '[' + ':'.repeat(50_000),
      '('.repeat(100_000) + 'pasta failed' + ')'.repeat(100_000),
      `${'a'.repeat(5_000_000)}\n`,
      'x\n'.repeat(300_000),
    ];
    for (let seed = 2; seed < 200; seed++) inputs.push(rnd(2_000, seed));
    // never throws; how long it takes is bench/explain-linear.mjs's to measure, not a test's to time
    for (const t of inputs) expect(() => explain(t), `input of ${t.length} chars`).not.toThrow();
  });
  it('every corpus message mutated (truncated, case-flipped, spliced) still yields at most one verdict per record without throwing', () => {
    let explained = 0;
    for (const e of corpus) {
      for (const t of [
        e.message.slice(0, e.message.length / 2),
        e.message.toUpperCase(),
        e.message.split('').reverse().join(''),
        e.message.replace(/\d/g, '9'.repeat(12)),
      ]) {
        expect(() => explain(t)).not.toThrow();
        for (const x of explain(t).explanations) {
          explained++;
          expect(STAGES).toContain(x.stage);
          if (x.subject.port !== null) expect(x.subject.port).toBeLessThanOrEqual(65535);
        }
      }
    }
    // most mutations still read as an error: the checks above ran on real explanations
    expect(explained).toBeGreaterThan(corpus.length);
  });
});
