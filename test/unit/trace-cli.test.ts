// `portdoctor trace`, spawned as users run it, on lab captures saved as snapshots (no host access).
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose.js';
import { saveSnapshot } from '../../src/snapshot/io.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';
import { checkCliOutput } from '../helpers/json-schema.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const run = (args: string[]) => {
  const r = spawnSync(join(ROOT, 'bin/portdoctor'), args, {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  checkCliOutput(args, r.stdout);
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const dir = mkdtempSync(join(tmpdir(), 'pd-trace-'));
const snap = (sc: string): string => {
  const f = join(dir, `${sc.replace(/\//g, '_')}.json`);
  saveSnapshot(f, snapshotFromCapture(sc));
  return f;
};

describe('portdoctor trace', () => {
  it('prints the path hop by hop (table, chain, rule, verdict) and who answers; exit 0 when every path answers', () => {
    const r = run(['trace', '18201', '--from', 'outside', '--snapshot', snap('other-container')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      'iptables-nft ip nat DOCKER: -A DOCKER ! -i docker0 -p tcp -m tcp --dport 18201 -j DNAT --to-destination 172.17.0.2:80  → dnat to 172.17.0.2:80',
    );
    expect(r.out).toMatch(/⇒ container portlab-other-container-holder answers on 172\.17\.0\.2:80/);
  });

  it('--json: one walk per origin with hops and outcome; exit 1 when a path is dropped', () => {
    const r = run(['trace', '18401/tcp', '--from', 'host', '--json', '--snapshot', snap('orphan-dnat')]);
    const j = JSON.parse(r.out) as {
      schema: string;
      walks: Array<{ spec: { from: { kind: string; loopback?: boolean } }; outcome: { kind: string } }>;
    };
    expect(j.schema).toBe('portdoctor.trace/1');
    expect(j.walks.map((w) => w.spec.from)).toEqual([
      { kind: 'host', loopback: true },
      { kind: 'host', loopback: false },
    ]);
    expect(j.walks[0]?.outcome.kind).toBe('docker-proxy');
    const out = run(['trace', '18401', '--from', 'outside', '--snapshot', snap('orphan-dnat')]);
    expect(out.code).toBe(1);
    expect(out.out).toMatch(/dropped by iptables-nft filter FORWARD: policy drop/);
  });

  it('from a container to localhost: explained, with what to use instead; exit 1', () => {
    const r = run([
      'trace',
      '127.0.0.1:18201',
      '--from',
      'container:portlab-other-container-holder',
      '--snapshot',
      snap('other-container'),
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/localhost inside container portlab-other-container-holder is the container itself/);
    expect(r.out).toMatch(/use instead: host\.docker\.internal:18201 .*, or 172\.17\.0\.1:18201/);
  });

  it('undecided (legacy vs nf_tables registration order) is exit 3 with both paths printed', () => {
    const r = run(['trace', '18403', '--from', 'outside', '--snapshot', snap('orphan-dnat-legacy')]);
    expect(r.code).toBe(3);
    expect(r.out).toMatch(/path 1 of 2, if iptables-legacy's nat table was registered after/);
  });

  it('bad --from is a usage error, exit 2', () => {
    const r = run(['trace', '18201', '--from', 'mars']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--from "mars" is not outside, host, .*container:NAME/);
  });
});

describe('diagnose answers whether each path reaches a published port', () => {
  it('paths: outside, host loopback, host address, the container itself', () => {
    const d = diagnose(snapshotFromCapture('orphan-dnat'), { proto: 'tcp', ip: null, port: 18401 });
    expect(d.paths?.map((p) => [p.from, p.reaches])).toEqual([
      ['outside', false],
      ['host:loopback', true],
      ['host:address', false],
      ['container:portlab-orphan-dnat-default', true],
    ]);
  });
});
