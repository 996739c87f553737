// Every lab scenario, replayed from its raw capture: the verdict and the named holder must be what
// the lab proved (each capture's summary.txt in test/fixtures/lab/), including the traps the folk wisdom gets wrong.
import { describe, expect, it } from 'vitest';
import { diagnose, exitCodeOf } from '../../src/diagnose.js';
import type { Cause, Holder, Proto } from '../../src/model.js';
import { symptomFrom } from '../../src/symptom.js';
import { attemptError, snapshotFromCapture } from '../helpers/lab-capture.js';

interface Case {
  capture: string;
  ip?: string | null;
  port?: number;
  proto?: Proto;
  error?: string; // attempts/<label>.stderr
  cause: Cause;
  holder?: Partial<Record<string, unknown>> & { kind: Holder['kind'] };
  exit: 0 | 1 | 3;
  also?: string[]; // other rule ids that must fire
}

const CASES: Case[] = [
  {
    capture: 'host-process',
    port: 18101,
    error: 'default',
    cause: 'host-process',
    holder: { kind: 'process', pid: 12052, comm: 'python3' },
    exit: 1,
  },
  {
    capture: 'host-process',
    ip: '127.0.0.1',
    port: 18101,
    error: 'hostip-127.0.0.1',
    cause: 'host-process',
    holder: { kind: 'process', pid: 12052 },
    exit: 1,
  },
  {
    capture: 'host-process-loopback',
    port: 18102,
    error: 'default',
    cause: 'host-process',
    holder: { kind: 'process', pid: 13136, comm: 'busybox' },
    exit: 1,
  },
  {
    capture: 'host-process-loopback',
    ip: '0.0.0.0',
    port: 18102,
    cause: 'host-process',
    holder: { kind: 'process', pid: 13136 },
    exit: 1,
  },
  // lab control: 127.0.0.2 and [::1] succeeded against a 127.0.0.1 holder
  { capture: 'host-process-loopback', ip: '127.0.0.2', port: 18102, cause: 'port-free', exit: 0 },
  { capture: 'host-process-loopback', ip: '::1', port: 18102, cause: 'port-free', exit: 0 },
  // v6-only holder on [::]: -p P fails on tcp6, -p 0.0.0.0:P succeeds
  {
    capture: 'host-process-v6only',
    port: 18103,
    error: 'default',
    cause: 'host-process',
    holder: { kind: 'process', pid: 14610 },
    exit: 1,
  },
  { capture: 'host-process-v6only', ip: '0.0.0.0', port: 18103, cause: 'port-free', exit: 0 },
  // dual-stack holder (ss shows *:P): covers IPv4 too, even 127.0.0.1
  {
    capture: 'host-process-v6dual',
    port: 18104,
    error: 'default',
    cause: 'host-process',
    holder: { kind: 'process', pid: 15819 },
    exit: 1,
  },
  {
    capture: 'host-process-v6dual',
    ip: '127.0.0.1',
    port: 18104,
    error: 'hostip-127.0.0.1',
    cause: 'host-process',
    holder: { kind: 'process', pid: 15819 },
    exit: 1,
  },
  {
    capture: 'host-process-udp',
    port: 18105,
    proto: 'udp',
    error: 'udp',
    cause: 'host-process',
    holder: { kind: 'process', pid: 16930 },
    exit: 1,
  },
  { capture: 'host-process-udp', port: 18105, proto: 'tcp', cause: 'port-free', exit: 0 },
  {
    capture: 'other-container',
    port: 18201,
    error: 'default',
    cause: 'container',
    holder: { kind: 'container', name: 'portlab-other-container-holder' },
    exit: 1,
  },
  // the trap: "address already in use" caused by a container on another host IP
  {
    capture: 'other-container',
    ip: '127.0.0.1',
    port: 18201,
    error: 'hostip-127.0.0.1',
    cause: 'container',
    holder: { kind: 'container', name: 'portlab-other-container-holder', pid: 18156 },
    exit: 1,
  },
  { capture: 'other-container', port: 18201, proto: 'udp', cause: 'port-free', exit: 0 },
  // created / exited / failed-start containers hold nothing (even when docker ps lists the port)
  {
    capture: 'other-container-stopped/before-new-run',
    port: 18202,
    cause: 'port-free',
    exit: 0,
    also: ['stopped-container-claims-port'],
  },
  {
    capture: 'other-container-stopped',
    port: 18202,
    cause: 'container',
    holder: { kind: 'container', name: 'portlab-other-container-stopped-new-run' },
    exit: 1,
    also: ['stopped-container-claims-port'],
  },
  {
    capture: 'host-network-container',
    port: 18301,
    error: 'default',
    cause: 'host-network-container',
    holder: { kind: 'container', name: 'portlab-host-network-container-hostnet', pid: 21096, comm: 'busybox' },
    exit: 1,
  },
  // orphan DNAT: docker run succeeded; the hazard is reported although nothing failed
  {
    capture: 'orphan-dnat',
    port: 18401,
    cause: 'orphan-dnat',
    holder: { kind: 'rule', backend: 'iptables-nft', table: 'nat', chain: 'DOCKER', toIp: '172.17.0.250' },
    exit: 1,
  },
  {
    capture: 'orphan-dnat/before-run',
    port: 18401,
    cause: 'orphan-dnat',
    holder: { kind: 'rule', backend: 'iptables-nft', toIp: '172.17.0.250' },
    exit: 1,
  },
  {
    capture: 'orphan-dnat-sameip/before-run',
    port: 18402,
    cause: 'orphan-dnat',
    holder: { kind: 'rule', toIp: '172.17.0.2' },
    exit: 1,
  },
  // the same-IP leftover is adopted by the container that got that IP: not an orphan any more
  {
    capture: 'orphan-dnat-sameip/during',
    port: 18402,
    cause: 'container',
    holder: { kind: 'container', name: 'portlab-orphan-dnat-sameip-default' },
    exit: 1,
  },
  { capture: 'orphan-dnat-sameip/after-container-removed', port: 18402, cause: 'port-free', exit: 0 },
  {
    capture: 'orphan-dnat-legacy',
    port: 18403,
    cause: 'firewall-split-brain',
    holder: { kind: 'rule', backend: 'iptables-legacy', table: 'nat', chain: 'DOCKER', toIp: '172.17.0.250' },
    exit: 1,
  },
  {
    capture: 'orphan-dnat-legacy/before-run',
    port: 18403,
    cause: 'firewall-split-brain',
    holder: { kind: 'rule', backend: 'iptables-legacy' },
    exit: 1,
  },
  // iptables-save is blind here ("Table `nat' is incompatible"): nft -j must carry it
  {
    capture: 'orphan-dnat-nft',
    port: 18404,
    cause: 'orphan-dnat',
    holder: { kind: 'rule', backend: 'nft', table: 'nat', chain: 'DOCKER', handle: 508, toIp: '172.17.0.250' },
    exit: 1,
  },
  {
    capture: 'orphan-dnat-nft-table',
    port: 18405,
    cause: 'orphan-dnat',
    holder: { kind: 'rule', backend: 'nft', table: 'portlab_orphan', toIp: '172.17.0.250' },
    exit: 1,
  },
  {
    capture: 'stale-proxy',
    port: 18501,
    error: 'default',
    cause: 'stale-docker-proxy',
    holder: { kind: 'docker-proxy', pid: 28994, containerIp: '172.17.0.250' },
    exit: 1,
  },
  // "already allocated" with no listener (killed proxy), then with a host process on the port
  {
    capture: 'killed-proxy/after-kill',
    port: 18601,
    error: 'default',
    cause: 'stale-allocation',
    holder: { kind: 'container', name: 'portlab-killed-proxy-victim' },
    exit: 1,
  },
  {
    capture: 'killed-proxy',
    port: 18601,
    error: 'default-after-host-bind',
    cause: 'stale-allocation',
    holder: { kind: 'container', name: 'portlab-killed-proxy-victim' },
    exit: 1,
    also: ['port-held-by-host-process'],
  },
  {
    capture: 'resolved-stub',
    port: 53,
    proto: 'udp',
    error: 'udp',
    cause: 'resolved-stub',
    holder: { kind: 'process', pid: 5690, comm: 'systemd-resolve' },
    exit: 1,
  },
  {
    capture: 'resolved-stub',
    port: 53,
    proto: 'tcp',
    error: 'tcp',
    cause: 'resolved-stub',
    holder: { kind: 'process', pid: 5692 },
    exit: 1,
  },
  { capture: 'resolved-stub', ip: '127.0.0.1', port: 53, proto: 'udp', cause: 'port-free', exit: 0 },
  {
    capture: 'compose-duplicate',
    port: 18801,
    cause: 'container',
    holder: { kind: 'container', name: 'portlabdup_web-a_1', composeProject: 'portlabdup', composeService: 'web-a' },
    exit: 1,
  },
  {
    capture: 'compose-duplicate',
    port: 18802,
    cause: 'container',
    holder: { kind: 'container', name: 'portlabscale_web_2', composeProject: 'portlabscale' },
    exit: 1,
  },
  {
    capture: 'compose-duplicate',
    port: 18803,
    cause: 'host-process',
    holder: { kind: 'process', pid: 7366, comm: 'python3' },
    exit: 1,
  },
  // a crashed private dockerd left no stale proxy: the main daemon's container holds 18701 now
  {
    capture: 'daemon-crash-proxy',
    port: 18701,
    cause: 'container',
    holder: { kind: 'container', name: 'portlab-daemon-crash-proxy-default' },
    exit: 1,
  },
];

describe('lab scenarios replayed from their captures', () => {
  for (const c of CASES) {
    const subj = `${c.ip ? `${c.ip}:` : ''}${c.port}/${c.proto ?? 'tcp'}`;
    it(`${c.capture} ${subj}${c.error ? ` with the error it printed` : ''} → ${c.cause}`, () => {
      const snap = snapshotFromCapture(c.capture);
      const symptom = c.error ? symptomFrom(attemptError(c.capture.split('/')[0] as string, c.error)) : null;
      if (c.error) expect(symptom?.port).toBe(c.port);
      const d = diagnose(snap, { proto: c.proto ?? 'tcp', ip: c.ip ?? null, port: c.port ?? 0 }, symptom);
      expect(d.verdict.cause, d.verdict.summary).toBe(c.cause);
      expect(exitCodeOf(d)).toBe(c.exit);
      if (c.holder) {
        expect(d.holders[0], JSON.stringify(d.holders)).toMatchObject(c.holder);
      } else {
        expect(d.holders).toEqual([]);
      }
      for (const r of c.also ?? []) expect(d.findings.map((f) => f.rule)).toContain(r);
      expect(d.inconclusive.filter((i) => i.missing.length === 0)).toEqual([]); // no rule crashed
    });
  }
});
