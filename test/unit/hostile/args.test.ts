// Argument checks, spawned as users run it, and the two advice/lint items of the red-team pass:
// a port range is a pool, and the alternative to a privileged port is itself unprivileged.
import { describe, expect, it } from 'vitest';
import { lintCase } from '../../helpers/compose-tester.js';
import { runCli } from '../../helpers/cli.js';
import { explain } from '../../../src/explain/explain.js';

const ENV = { DOCKER_HOST: 'unix:///nonexistent/pd-test.sock' };
const FROM = ['--from', 'test/fixtures/probe/docker-28.5.2/time-wait.snapshot.json'];

describe('bad arguments: exit 2, a clear message, no stack trace', () => {
  it.each([
    [
      ['diagnose', '8080', '--timeout', '0.5'],
      /--timeout "0\.5" is not a positive number of milliseconds: give a whole number/,
    ],
    [['diagnose', '8080', '--timeout', '1e999'], /--timeout "1e999"/],
    [['diagnose', '8080', '--timeout', '3000000000'], /from 1 to 2147483647/],
    [['trace', '8080', '--timeout', '-1'], /--timeout "-1"/],
    [['diagnose', '0'], /port 0 is out of range: a host port is 1-65535/],
    [
      ['diagnose', '--error', 'Bind for 0.0.0.0:0 failed: port is already allocated'],
      /names port 0, which is no host port/,
    ],
  ])('%j', (args, msg) => {
    const r = runCli(args as string[], { env: ENV });
    expect(r.err).toMatch(msg as RegExp);
    expect(r.code).toBe(2);
    expect(r.err).not.toMatch(/internal error|\n\s+at |ERR_OUT_OF_RANGE|TimeoutOverflowWarning/);
  });
  it('a 100,000-digit port is echoed once, shortened', () => {
    const r = runCli(['diagnose', '1'.repeat(100_000)], { env: ENV });
    expect(r.code).toBe(2);
    expect(r.err.length).toBeLessThan(300);
    expect(r.err).toMatch(/port 1{28}…\(100000 chars\) is out of range/);
  });
  it('--error about another port than the one asked: said on stderr, the asked port diagnosed', () => {
    const r = runCli(
      ['diagnose', '20001', ...FROM, '--json', '--error', 'Bind for 0.0.0.0:9090 failed: port is already allocated'],
      {
        env: ENV,
      },
    );
    expect(r.err).toMatch(/the --error text is about port 9090, not 20001: diagnosing 20001 as asked/);
    expect(JSON.parse(r.out).subject.port).toBe(20001);
  });
});

describe('lint: a host port range for one container port is a pool, not a clash at its first port', () => {
  const pool = (ports: string) => `services:\n  a:\n    image: x\n    ports: ${ports}\n`;
  const dup = (code: string) => lintCase({ code }).filter((p) => p.rule === 'duplicate-host-port');
  it('"0.0.0.0:8000-9000:80" twice, and with {published: "8000-9000"}: no clash', () => {
    expect(dup(pool('["0.0.0.0:8000-9000:80", "0.0.0.0:8000-9000:80"]'))).toEqual([]);
    expect(dup(pool('["0.0.0.0:8000-9000:80", {target: 80, published: "8000-9000", host_ip: 0.0.0.0}]'))).toEqual([]);
    expect(dup(pool('["0.0.0.0:8000-9000:80", "0.0.0.0:8000:81"]'))).toEqual([]);
  });
  it('still a clash: fixed ports that cover the whole pool, and a 1:1 range', () => {
    expect(dup(pool('["0.0.0.0:8000-8001:80", "0.0.0.0:8000-8001:81-82"]'))).toHaveLength(1);
    expect(dup(pool('["0.0.0.0:8000-8001:80-81", "0.0.0.0:8001:82"]'))).toHaveLength(1);
  });
});

describe('explain: the alternative to a privileged port is ≥ 1024', () => {
  it.each([
    [80, 8080],
    [443, 8443],
    [22, 8022],
    [1023, 9023],
  ])('port %i → -p %i', (port, alt) => {
    const r = explain(
      `cannot expose privileged port ${port}, you can add 'net.ipv4.ip_unprivileged_port_start=${port}'`,
    );
    const next = r.explanations[0]?.next.join('\n') ?? '';
    expect(next).toContain(`-p ${alt}:`);
    expect(alt).toBeGreaterThanOrEqual(1024);
    expect(next).not.toMatch(/-p (\d{1,3}):/);
  });
});
