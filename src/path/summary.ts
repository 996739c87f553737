// diagnose's answer to "does it still answer?": for each running container publishing the port,
// whether a client outside, on the host (loopback and its own address) and in that container reaches it.
import type { PathSummary, Snapshot, Subject } from '../model.js';
import { publishedOnSubject, reaches } from '../rules/published.js';
import { buildIndex } from '../snapshot/index.js';
import type { Origin } from './types.js';
import { describeOutcome, walkPath } from './walk.js';

export function pathSummaries(snap: Snapshot, subject: Subject): { paths?: PathSummary[] } {
  const pubs = publishedOnSubject(buildIndex(snap, subject), subject);
  if (pubs.length === 0) return {};
  const out: PathSummary[] = [];
  for (const p of pubs) {
    const origins: Array<[string, Origin]> = [
      ['outside', { kind: 'outside' }],
      ['host:loopback', { kind: 'host', loopback: true }],
      ['host:address', { kind: 'host', loopback: false }],
      [`container:${p.c.name}`, { kind: 'container', name: p.c.id }],
    ];
    for (const [from, origin] of origins) {
      const daddr = p.b.hostIp !== '0.0.0.0' && origin.kind !== 'container' ? p.b.hostIp : undefined;
      if (daddr && origin.kind === 'host' && origin.loopback !== daddr.startsWith('127.')) continue;
      const w = walkPath(snap, { proto: p.b.proto, port: p.b.hostPort, from: origin, ...(daddr ? { daddr } : {}) });
      const ok = w.outcome.kind === 'unknown' ? null : reaches(w, p.c);
      out.push({ from, container: p.c.name, reaches: ok, outcome: describeOutcome(w.outcome) });
    }
  }
  return { paths: out };
}
