import { describe, expect, it } from 'vitest';
import { portMap } from '../../src/portmap.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';

const at = (cap: string, port: number) => portMap(snapshotFromCapture(cap)).ports.filter((p) => p.port === port);

describe('port map statuses on the lab captures', () => {
  it('a healthy published container: ok on 0.0.0.0 and [::], owners proxy + container + DNAT', () => {
    const e = at('other-container', 18201);
    expect(e.map((x) => [x.ip, x.status])).toEqual([
      ['0.0.0.0', 'ok'],
      ['::', 'ok'],
    ]);
    expect(e[0]?.owners.map((o) => o.kind).sort()).toEqual(['container', 'docker-proxy', 'rule']);
  });
  it('orphan rule, stale proxy, killed proxy, stopped container', () => {
    expect(at('orphan-dnat/before-run', 18401).map((x) => x.status)).toEqual(['orphan-rule']);
    expect(at('orphan-dnat', 18401).find((x) => x.ip === '0.0.0.0')?.status).toBe('orphan-rule');
    expect(at('orphan-dnat-legacy', 18403).find((x) => x.ip === '0.0.0.0')?.owners).toContainEqual(
      expect.objectContaining({ kind: 'rule', backend: 'iptables-legacy', orphan: true }),
    );
    expect(at('stale-proxy', 18501).map((x) => x.status)).toEqual(['stale-proxy', 'stale-proxy']);
    expect(at('killed-proxy/after-kill', 18601).map((x) => x.status)).toEqual([
      'allocated-without-listener',
      'allocated-without-listener',
    ]);
    expect(at('other-container-stopped/before-new-run', 18202).map((x) => x.status)).toEqual([
      'stopped-container',
      'stopped-container',
    ]);
  });
  it('killed-proxy after a host process took the port: the allocation without its proxy is the root, and both holders are listed', () => {
    const e = at('killed-proxy', 18601).find((x) => x.ip === '0.0.0.0');
    expect(e?.owners.map((o) => o.kind).sort()).toEqual(['container', 'process', 'rule']);
    expect(e?.status).toBe('allocated-without-listener');
  });
  it('two different holders on overlapping binds: conflict on both sides', () => {
    const snap = snapshotFromCapture('host-process');
    const containers = {
      ok: true as const,
      source: 't',
      value: [
        {
          id: 'c'.repeat(64),
          name: 'web',
          state: 'running',
          status: '',
          image: 'x',
          networkMode: 'default',
          ips: ['172.17.0.9'],
          published: [{ proto: 'tcp' as const, hostIp: '127.0.0.1', hostPort: 18101, containerPort: 80 }],
          configured: null,
          restartPolicy: null,
          composeProject: null,
          composeService: null,
          composeWorkingDir: null,
        },
      ],
    };
    const e = portMap({
      ...snap,
      containers,
      engine: snap.engine.ok ? { ...snap.engine, value: { ...snap.engine.value, userlandProxy: false } } : snap.engine,
    }).ports.filter((p) => p.port === 18101);
    expect(e.map((x) => [x.ip, x.status])).toEqual([
      ['0.0.0.0', 'conflict'],
      ['127.0.0.1', 'conflict'],
    ]);
  });
  it('a host-network container is named as a container', () => {
    expect(at('host-network-container', 18301)[0]?.owners).toEqual([
      expect.objectContaining({
        kind: 'container',
        via: 'host-network',
        name: 'portlab-host-network-container-hostnet',
      }),
    ]);
  });
  it('plain host listeners are ok', () => {
    expect(at('host-process', 18101)).toEqual([
      expect.objectContaining({ status: 'ok', owners: [expect.objectContaining({ kind: 'process', pid: 12052 })] }),
    ]);
  });
});
