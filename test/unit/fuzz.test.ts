// fast-check fuzzing of every parser of host or user text, and of the CLI's argument handling: no
// throw (other than the parser's own usage/syntax error), ports always integers in range, bounded time.
// Inputs mix random strings with fragments of the real captures, so a run reaches deep branches.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCgroup } from '../../src/collect/parse/cgroup.js';
import { configuredBindings, containerFromList } from '../../src/collect/parse/docker-api.js';
import { parseDockerProxyArgv } from '../../src/collect/parse/docker-proxy-argv.js';
import { parseIpAddr, parseIpNeigh, parseIpRoute } from '../../src/collect/parse/ip-json.js';
import { parseIptablesSave, parseToDestination, tokenize } from '../../src/collect/parse/iptables-save.js';
import { countXtDnat, parseNftJson, parseNftTextHandles } from '../../src/collect/parse/nft.js';
import { ifaceSubnets, parseDefaultIface, parseFibTrieLocal } from '../../src/collect/parse/proc-addrs.js';
import { parseProcNet } from '../../src/collect/parse/proc-net.js';
import { parseSs } from '../../src/collect/parse/ss.js';
import { interpolate, InterpolationError, parseDotEnv } from '../../src/compose/interpolate.js';
import { parseLongPort, parseShortPort, PortSyntaxError } from '../../src/compose/ports.js';
import { explain } from '../../src/explain/explain.js';
import { extractSubject } from '../../src/explain/subject.js';
import { symptomFrom } from '../../src/symptom.js';
import { parseTarget, parseTimeout, UsageError } from '../../src/cli/target.js';
import { redactArgv } from '../../src/snapshot/redact.js';
import { parseSnapshot, SnapshotFileError } from '../../src/snapshot/io.js';
import { BIN } from '../helpers/cli.js';

const LAB = new URL('../fixtures/lab/', import.meta.url).pathname;
const lines = (f: string): string[] => readFileSync(join(LAB, f), 'utf8').split('\n').filter(Boolean);
const NUM_RUNS = 300;

/** text built from real lines, their tokens cut and shuffled, and random strings */
function textLike(seed: readonly string[]): fc.Arbitrary<string> {
  const tokens = [...new Set(seed.flatMap((l) => l.split(/(\s+|:|,|=)/)))].slice(0, 400);
  const line = fc.oneof(
    fc.constantFrom(...seed),
    // a real line with a few characters replaced: a hex port "46B5" becomes "4ZB5", a digit a letter
    fc
      .tuple(
        fc.constantFrom(...seed),
        fc.array(fc.tuple(fc.nat(200), fc.constantFrom('Z', 'x', ':', ' ', '-', '9', '')), {
          minLength: 1,
          maxLength: 3,
        }),
      )
      .map(([l, edits]) =>
        edits.reduce((t, [at, c]) => t.slice(0, at % (t.length + 1)) + c + t.slice((at % (t.length + 1)) + 1), l),
      ),
    fc
      .array(
        fc.oneof(
          fc.constantFrom(...tokens),
          fc.string({ maxLength: 8 }),
          fc.constantFrom(' ', ':', 'x', 'NaN', '-1', '99999999'),
        ),
        {
          maxLength: 20,
        },
      )
      .map((t) => t.join('')),
    fc.string({ maxLength: 60 }),
  );
  return fc.array(line, { maxLength: 30 }).map((ls) => ls.join('\n'));
}

const portOk = (p: unknown): boolean =>
  p === null || (Number.isInteger(p) && (p as number) >= 0 && (p as number) <= 65535);
// time is not asserted here (a loaded machine is no evidence): super-linear regexes are caught by
// test/unit/explain-linear.test.ts (recheck) and measured by bench/explain-linear.mjs
const timed = <T>(f: () => T): T => f();

describe('fuzz: host-text parsers never throw and never make a NaN port', () => {
  it('parseProcNet (/proc/net/tcp, tcp6, udp)', () => {
    const seed = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:46B5 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   104        0 22222 1 0000000000000000 100 0 0 10 0',
      '   2: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 33 1',
    ];
    fc.assert(
      fc.property(
        textLike(seed),
        fc.constantFrom('tcp', 'udp'),
        fc.constantFrom(4, 6),
        fc.boolean(),
        (t, proto, fam, all) => {
          for (const s of timed(() => parseProcNet(t, proto as 'tcp', fam as 4, undefined, all))) {
            expect(portOk(s.port)).toBe(true);
            expect(Number.isFinite(s.uid) && Number.isFinite(s.inode)).toBe(true);
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
  it('parseIptablesSave (every lab dump), tokenize, parseToDestination', () => {
    const seed = [
      ...lines('host-process/iptables-nft-save-nat.txt'),
      ...lines('host-process/iptables-legacy-save.txt'),
      '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080:8090 -j DNAT --to-destination 172.17.0.2:80-90',
      '-A PREROUTING -p tcp --dport abc -j DNAT --to-destination 10.0.0.1:xyz',
      "# Table `nat' is incompatible, use 'nft' tool.",
    ];
    fc.assert(
      fc.property(
        textLike(seed),
        fc.constantFrom('iptables-nft', 'iptables-legacy'),
        fc.constantFrom('ip', 'ip6'),
        (t, b, f) => {
          const v = timed(() => parseIptablesSave(t, b as 'iptables-nft', f as 'ip'));
          for (const r of v.dnat) {
            expect(portOk(r.dport) && portOk(r.dportEnd) && portOk(r.toPort)).toBe(true);
            expect(r.dport).toBeLessThanOrEqual(r.dportEnd);
          }
          for (const l of t.split('\n')) tokenize(l);
        },
      ),
      { numRuns: NUM_RUNS },
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom('172.17.0.2:80', '[::1]:80-90', '1.2.3.4:x', '1.2.3.4:99999', ':')),
        (s) => {
          const d = parseToDestination(s);
          if (d) expect(portOk(d.port)).toBe(true);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
  it('parseNftJson, countXtDnat, parseNftTextHandles on mutated JSON of a real ruleset', () => {
    const real = JSON.parse(readFileSync(join(LAB, 'host-process/nft-ruleset.json'), 'utf8')) as {
      nftables: unknown[];
    };
    const items = real.nftables;
    const mutate = fc.array(
      fc.oneof(
        fc.constantFrom(...items),
        fc.jsonValue({ maxDepth: 4 }),
        // one value of a real item replaced (the n-th `: value`), keys kept: deep branches see wrong types
        fc.tuple(fc.constantFrom(...items), fc.nat(30), fc.jsonValue({ maxDepth: 2 })).map(([it, n, j]) => {
          let k = 0;
          const text = JSON.stringify(it).replace(/:(-?\d+(?:\.\d+)?|"(?:[^"\\]|\\.)*"|true|false|null)/g, (m) =>
            k++ === n ? `:${JSON.stringify(j) ?? 'null'}` : m,
          );
          return JSON.parse(text) as unknown;
        }),
      ),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          mutate.map((n) => JSON.stringify({ nftables: n })),
          fc.string(),
          fc.jsonValue().map((j) => JSON.stringify(j)),
        ),
        (json) => {
          let v;
          try {
            v = timed(() => parseNftJson(json));
          } catch (e) {
            // the parser may refuse what is not nft JSON: an Error the collector reports, not a TypeError inside
            expect(e).toBeInstanceOf(Error);
            expect(e, String(e)).not.toBeInstanceOf(TypeError);
            return;
          }
          for (const r of v.dnat) expect(portOk(r.dport) && portOk(r.dportEnd) && portOk(r.toPort)).toBe(true);
          try {
            countXtDnat(json);
          } catch (e) {
            expect(e, String(e)).not.toBeInstanceOf(TypeError);
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
    fc.assert(
      fc.property(textLike(lines('host-process/nft-ruleset.txt')), (t) => void parseNftTextHandles(t)),
      { numRuns: NUM_RUNS },
    );
  });
  it('parseSs, parseCgroup, proc-addrs, ip -j parsers', () => {
    const ss = lines('host-process/ss-tulpn.txt');
    fc.assert(
      fc.property(textLike(ss), (t) => {
        for (const e of timed(() => parseSs(t))) expect(portOk(e.port)).toBe(true);
        parseCgroup(t);
        parseFibTrieLocal(t);
        parseDefaultIface(t);
        ifaceSubnets(t, 'eth0');
      }),
      { numRuns: NUM_RUNS },
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.jsonValue().map((j) => JSON.stringify(j)),
        ),
        fc.constantFrom(4, 6),
        (t, fam) => {
          // these refuse what is not `ip -j` output with an Error the collector reports as unparsable
          for (const f of [() => parseIpAddr(t), () => parseIpRoute(t, fam as 4), () => parseIpNeigh(t)])
            try {
              f();
            } catch (e) {
              expect(e).toBeInstanceOf(Error);
              expect(e, String(e)).not.toBeInstanceOf(TypeError);
            }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
  it('Docker API objects and docker-proxy argv', () => {
    const real = JSON.parse(readFileSync(join(LAB, 'host-process/api-containers-all.json'), 'utf8')) as unknown[];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(...real),
          fc.jsonValue({ maxDepth: 4 }),
          fc.record({ Ports: fc.jsonValue(), Names: fc.jsonValue(), NetworkSettings: fc.jsonValue() }),
        ),
        (c) => {
          const x = containerFromList(c);
          for (const b of x.published) expect(portOk(b.hostPort) && portOk(b.containerPort)).toBe(true);
          const i = configuredBindings(c);
          for (const b of i.bindings) expect(portOk(b.hostPort) && portOk(b.containerPort)).toBe(true);
        },
      ),
      { numRuns: NUM_RUNS },
    );
    const flags = [
      '-proto',
      '-host-ip',
      '-host-port',
      '-container-ip',
      '-container-port',
      '-use-listen-fd',
      'tcp',
      '0.0.0.0',
      '80',
      'x',
      '-1',
      '65536',
    ];
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...flags), fc.string({ maxLength: 6 })), { maxLength: 14 }),
        (argv) => {
          const a = parseDockerProxyArgv(['/usr/bin/docker-proxy', ...argv]);
          if (a) expect(portOk(a.hostPort) && portOk(a.containerPort)).toBe(true);
          redactArgv(argv);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('fuzz: user-text parsers throw only their own error', () => {
  it('compose ports (short and long syntax)', () => {
    const frag = fc.constantFrom(
      '127.0.0.1',
      '[::1]',
      '::1',
      '0.0.0.0',
      '8080',
      '80',
      '8000-9000',
      '-',
      ':',
      '/udp',
      '/tcp',
      '${P}',
      'x',
      '65536',
      '0',
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(frag, fc.string({ maxLength: 5 })), { maxLength: 8 }).map((a) => a.join('')),
        (s) => {
          try {
            const p = parseShortPort(s);
            if (p.hostPort !== 'ephemeral') expect(portOk(p.hostPort.start) && portOk(p.hostPort.end)).toBe(true);
          } catch (e) {
            expect(e).toBeInstanceOf(PortSyntaxError);
          }
        },
      ),
      { numRuns: NUM_RUNS * 3 },
    );
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom('target', 'published', 'host_ip', 'protocol', 'mode'),
          fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 })),
        ),
        (o) => {
          try {
            parseLongPort(o);
          } catch (e) {
            expect(e).toBeInstanceOf(PortSyntaxError);
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
  it('interpolation and .env, nested defaults included', () => {
    const frag = fc.constantFrom(
      '${',
      '}',
      '$$',
      '$',
      'A',
      'B',
      ':-',
      '-',
      ':+',
      '+',
      ':?',
      '?',
      'err',
      '8080',
      '{',
      '${A:-${B:-1}}',
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(frag, fc.string({ maxLength: 3 })), { maxLength: 24 }).map((a) => a.join('')),
        (s) => {
          try {
            timed(() => interpolate(s, { A: '1', B: undefined, E: '' }));
          } catch (e) {
            expect(e).toBeInstanceOf(InterpolationError);
          }
          timed(() => parseDotEnv(s.replace(/\|/g, '\n'), { X: 'y' }));
        },
      ),
      { numRuns: NUM_RUNS * 3 },
    );
  });
  it('explain, symptom and subject extraction: every corpus message cut and spliced, linear', () => {
    const corpus = JSON.parse(
      readFileSync(new URL('../fixtures/corpus/docker-error-messages.json', import.meta.url), 'utf8'),
    ) as unknown;
    const msgs = JSON.stringify(corpus)
      .match(/"(?:[^"\\]|\\.){20,400}"/g)
      ?.slice(0, 300)
      .map((s) => JSON.parse(s) as string) ?? ['Bind for 0.0.0.0:8080 failed'];
    const text = fc.oneof(
      fc.constantFrom(...msgs),
      fc
        .tuple(fc.constantFrom(...msgs), fc.constantFrom(...msgs), fc.nat(), fc.string({ maxLength: 20 }))
        .map(([a, b, n, x]) => a.slice(0, n % (a.length + 1)) + x + b.slice(n % (b.length + 1))),
      fc.string({ maxLength: 200 }),
      fc
        .tuple(fc.constantFrom(...msgs), fc.constantFrom(' ', '\t', ':', '['), fc.integer({ min: 1, max: 5000 }))
        .map(([m, c, n]) => m + c.repeat(n) + 'x'),
    );
    fc.assert(
      fc.property(text, (t) => {
        const r = timed(() => explain(t));
        for (const e of r.explanations) expect(portOk(e.subject.port)).toBe(true);
        const s = symptomFrom(t);
        if (s) expect(portOk(s.port)).toBe(true);
        expect(portOk(extractSubject(t).port)).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });
  it('target and --timeout parsing throw only a UsageError, and echo the input shortened', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.stringMatching(/^(\[[0-9a-f:]{0,10}\]|[0-9.]{0,16})?:?\d{0,12}(\/[a-z]{0,5})?$/)),
        (s) => {
          try {
            const t = parseTarget(s);
            expect(t.port >= 1 && t.port <= 65535).toBe(true);
          } catch (e) {
            expect(e).toBeInstanceOf(UsageError);
            expect((e as Error).message.length).toBeLessThan(400);
          }
          try {
            const ms = parseTimeout(s);
            expect(Number.isInteger(ms) && (ms as number) >= 1).toBe(true);
          } catch (e) {
            expect(e).toBeInstanceOf(UsageError);
          }
        },
      ),
      { numRuns: NUM_RUNS * 3 },
    );
  });
  it('snapshot files: a mutated real snapshot is loaded or refused with a SnapshotFileError', () => {
    const real = readFileSync(
      new URL('../fixtures/probe/docker-28.5.2/time-wait.snapshot.json', import.meta.url),
      'utf8',
    );
    fc.assert(
      fc.property(
        fc.nat(real.length),
        fc.nat(40),
        fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('null', '"x"', '[]', '{}', '-1', '1e999')),
        (at, cut, put) => {
          try {
            parseSnapshot(real.slice(0, at) + put + real.slice(Math.min(real.length, at + cut)), 'fuzz.json');
          } catch (e) {
            expect(e).toBeInstanceOf(SnapshotFileError);
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('fuzz: the CLI, spawned, answers any argument list with a usage error at worst', () => {
  it('random argv: exit 0-3, never 4, never a stack trace, in bounded time', () => {
    const words = fc.constantFrom(
      'diagnose',
      'explain',
      'lint',
      'ports',
      'trace',
      'collect',
      'fix',
      'watch',
      'completion',
      '--json',
      '--from',
      '--timeout',
      '--error',
      '--format',
      '--port',
      '--profile',
      '-f',
      '--project',
      '--snapshot',
      '--no-color',
      '-',
      '--',
      '0',
      '8080',
      '70000',
      '1e3',
      '0.5',
      '[::1]:80',
      '8080/sctp',
      '--restart-threshold',
      'abc',
      '--help',
      '-V',
      'x=',
      '--env-file',
      '/dev/null',
      '/nonexistent',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(words, fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 5 }), (argv) => {
        // never a command that reads or changes this host: those are the live tests' job
        fc.pre(!argv.some((a) => ['fix', 'watch', 'exporter', 'collect'].includes(a)));
        fc.pre(
          argv.some(
            (a) =>
              a === '--from' ||
              a === '--snapshot' ||
              a === 'explain' ||
              a === 'lint' ||
              a === 'completion' ||
              a === '--help',
          ),
        );
        const r = spawnSync(BIN, argv, {
          encoding: 'utf8',
          timeout: 15_000,
          input: '',
          cwd: new URL('../fixtures/', import.meta.url).pathname,
          env: { ...process.env, NO_COLOR: '1', PORTDOCTOR_TEST: '1', DOCKER_HOST: 'unix:///nonexistent/pd-fuzz.sock' },
        });
        expect(r.status, `${JSON.stringify(argv)}: ${r.stderr}`).not.toBe(4);
        expect([0, 1, 2, 3]).toContain(r.status);
        expect(r.stderr).not.toMatch(/\n\s+at .*:\d+:\d+/);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
