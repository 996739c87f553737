import { describe, expect, it } from 'vitest';
import type { Socket } from '../../src/model.js';
import { bindOverlap, formatIpv6, normalizeIp } from '../../src/util/ip.js';

const sock = (ip: string, o: Partial<Socket> = {}): Socket => ({
  proto: 'tcp',
  family: ip.includes(':') ? 6 : 4,
  ip,
  port: 20000,
  v6only: null,
  state: 'LISTEN',
  inode: 1,
  uid: 0,
  pids: [],
  ...o,
});
const req = (ip: string, proto: 'tcp' | 'udp' = 'tcp') => ({ proto, ip, port: 20000 });

describe('addresses', () => {
  it('normalises brackets, /32, zones and IPv6 spelling', () => {
    expect(normalizeIp('[::]')).toBe('::');
    expect(normalizeIp('127.0.0.1/32')).toBe('127.0.0.1');
    expect(normalizeIp('FE80::1%eth0')).toBe('fe80::1');
    expect(normalizeIp('2001:db8:0:0:0:0:2:1')).toBe('2001:db8::2:1');
    expect(normalizeIp('::ffff:127.0.0.1')).toBe('::ffff:127.0.0.1');
    expect(normalizeIp('*')).toBeNull();
    expect(normalizeIp('docker0')).toBeNull();
    expect(formatIpv6([1, 0, 0, 1, 0, 0, 0, 1])).toBe('1:0:0:1::1'); // the longest zero run is compressed (RFC 5952)
    expect(formatIpv6([1, 0, 0, 2, 0, 0, 3, 4])).toBe('1::2:0:0:3:4'); // the first of equal runs
  });
});

describe("would the kernel refuse the bind? (the lab's matrix)", () => {
  it.each([
    // requested, held, expected
    ['0.0.0.0', sock('0.0.0.0'), 'yes'],
    ['127.0.0.1', sock('0.0.0.0'), 'yes'], // other-container hostip-127.0.0.1
    ['0.0.0.0', sock('127.0.0.1'), 'yes'], // host-process-loopback
    ['127.0.0.2', sock('127.0.0.1'), 'no'],
    ['::1', sock('127.0.0.1'), 'no'],
    ['::', sock('::', { v6only: true }), 'yes'], // host-process-v6only default
    ['0.0.0.0', sock('::', { v6only: true }), 'no'], // …but -p 0.0.0.0:P succeeds
    ['0.0.0.0', sock('::', { v6only: false }), 'yes'], // v6dual
    ['127.0.0.1', sock('::', { v6only: false }), 'yes'],
    ['0.0.0.0', sock('::', { v6only: null }), 'maybe'], // no ss: cannot tell
    ['::', sock('0.0.0.0'), 'no'], // docker's [::] proxy is v6-only
    ['0.0.0.0', sock('::ffff:127.0.0.1'), 'yes'],
    ['0.0.0.0', sock('0.0.0.0', { state: 'ESTABLISHED' }), 'no'], // Go sets SO_REUSEADDR for TCP
  ] as const)('%s vs held %o → %s', (r, s, want) => {
    expect(bindOverlap(req(r), s)).toBe(want);
  });
  it('UDP: any bound socket collides, TCP and UDP never do', () => {
    expect(bindOverlap(req('0.0.0.0', 'udp'), sock('127.0.0.53', { proto: 'udp', state: 'UNCONN' }))).toBe('yes');
    expect(bindOverlap(req('0.0.0.0', 'tcp'), sock('0.0.0.0', { proto: 'udp', state: 'UNCONN' }))).toBe('no');
  });
});

import { isIPv4, isIPv6 } from '../../src/util/ip.js';
import { isIPv4 as nodeV4, isIPv6 as nodeV6 } from 'node:net';

describe('hand-written validators agree with node:net', () => {
  it.each([
    '::',
    '::1',
    '1::',
    'fe80::1',
    '2001:db8::2:1',
    '2001:0db8:0000:0000:0000:0000:0002:0001',
    '::ffff:127.0.0.1',
    '1:2:3:4:5:6:7:8',
    '1:2:3:4:5:6:1.2.3.4',
    '1::2::3',
    ':::1',
    '1:2:3:4:5:6:7',
    '1:2:3:4:5:6:7:8:9',
    'g::1',
    '12345::',
    '::1.2.3.256',
    '127.0.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '256.1.1.1',
    '01.2.3.4',
    '1.2.3',
    '',
    ':',
    '1:',
    ':1',
    '1::2:3:4:5:6:7',
    '::2:3:4:5:6:7:8',
  ])('%s', (s) => {
    expect(isIPv6(s)).toBe(nodeV6(s));
    expect(isIPv4(s)).toBe(nodeV4(s));
  });
});
