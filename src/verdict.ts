// From findings to one verdict. The error the user saw (when given) decides which findings
// explain it; otherwise the cause that decides what `docker run -p` would meet first wins.
import type { Cause, Confidence, Finding, Snapshot, Stage, Symptom, Verdict } from './model.js';
import { displayAddr } from './util/ip.js';

/**
 * Most decisive first (lower wins among findings of the same severity and symptom fit). Firewall
 * orphans outrank the container they shadow: that container is the victim. Gaps leave room to
 * insert a cause between two others without renumbering. `port-free` is never a finding's cause.
 */
export const CAUSE_RANK = {
  'rootless-regression': 10,
  'orphan-dnat': 20,
  // a DNAT of another manager takes the port's traffic like an orphan does, but has a live owner
  'foreign-dnat': 25,
  'firewall-split-brain': 30,
  // path problems: the port is Docker's, the packets never reach it; the container is the victim
  'docker-rules-missing': 32,
  'firewall-drop': 34,
  'conntrack-full': 36,
  'stale-allocation': 40,
  container: 50,
  'host-network-container': 60,
  'stale-docker-proxy': 70,
  'resolved-stub': 80,
  'host-process': 90,
  unknown: 100,
  'port-free': 110,
} as const satisfies Record<Cause, number>;

/**
 * Which causes can produce an error of each stage; null: the stage does not narrow the causes
 * (every finding fits it, and the verdict does not remark on a mismatch).
 */
export const STAGE_CAUSES = {
  'port-allocator': ['stale-allocation', 'container'],
  'userland-proxy': [
    'container',
    'host-network-container',
    'stale-docker-proxy',
    'resolved-stub',
    'host-process',
    'unknown',
  ],
  'host-bind': [
    'rootless-regression',
    'container',
    'host-network-container',
    'stale-docker-proxy',
    'resolved-stub',
    'host-process',
    'unknown',
  ],
  'rootless-port-driver': ['rootless-regression', 'host-process', 'host-network-container', 'container', 'unknown'],
  'firewall-programming': null,
  'desktop-vpnkit': null,
  permission: null,
  'address-not-available': null,
  other: null,
} as const satisfies Record<Stage, readonly Cause[] | null>;

/** Does an error of this stage say that something held the port (so "free now" means it was released)? */
export const STAGE_SAYS_HELD = {
  'port-allocator': true,
  'userland-proxy': true,
  'host-bind': true,
  'rootless-port-driver': true,
  'desktop-vpnkit': true,
  'firewall-programming': false,
  permission: false,
  'address-not-available': false,
  other: false,
} as const satisfies Record<Stage, boolean>;

const explainedBy = (stage: Stage): readonly Cause[] | null => STAGE_CAUSES[stage];

const CONF_RANK: Record<Confidence, number> = { certain: 0, likely: 1, possible: 2 };

export function rankFindings(findings: readonly Finding[], symptom: Symptom | null): Finding[] {
  const explains = symptom ? explainedBy(symptom.stage) : null;
  const score = (f: Finding): number[] => [
    explains ? (explains.includes(f.cause) ? 0 : 1) : 0,
    f.severity === 'error' ? 0 : f.severity === 'warning' ? 1 : 2,
    CAUSE_RANK[f.cause],
    CONF_RANK[f.confidence],
  ];
  return [...findings].sort((a, b) => {
    const sa = score(a);
    const sb = score(b);
    for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return (sa[i] ?? 0) - (sb[i] ?? 0);
    return 0;
  });
}

/** Facts without which "the port is free" cannot be said. */
export const NEEDED_FOR_FREE = [
  'sockets',
  'processes',
  'engine',
  'containers',
  'iptablesNft',
  'iptablesLegacy',
  'nft',
] as const;

export function decide(
  snap: Snapshot,
  subjectText: string,
  ranked: readonly Finding[],
  symptom: Symptom | null,
): Verdict {
  const top = ranked.find((f) => f.severity !== 'info');
  const blind = NEEDED_FOR_FREE.filter((k) => !snap[k].ok);
  if (top && top.data.reuseDependent === true && top.confidence === 'possible') {
    // the socket refuses the bind only if it lacks SO_REUSEADDR, and the kernel was not asked
    return {
      cause: 'unknown',
      confidence: 'possible',
      summary: `${top.message} (Only if that socket lacks SO_REUSEADDR, which /proc does not show and the bind probe was not there to ask: ${snap.probe?.ok ? 'it did not cover this bind' : (snap.probe?.error.message ?? 'no probe')}.)`,
    };
  }
  if (top) {
    let summary = top.message;
    let confidence = top.confidence;
    if (symptom && !(explainedBy(symptom.stage) ?? [top.cause]).includes(top.cause)) {
      summary += ` (The error you saw came from the ${symptom.stage} stage, which this does not explain: the host may have changed since.)`;
    }
    if (blind.length) {
      // true as far as it goes, but a holder that ranks higher may be hidden in what could not be read
      if (confidence === 'certain') confidence = 'likely';
      summary += ` (Not everything could be read: ${blind.join(', ')}; something more important may be hidden there.)`;
    }
    return { cause: top.cause, confidence, summary };
  }
  // the kernel's answer to the engine's own bind (rules/bind-probe.ts): port-free follows it
  const probe = ranked.find((f) => f.rule === 'bind-probe' && f.cause === 'port-free');
  const probeFree = probe?.data.allFree === true;
  if (blind.length) {
    const reasons = blind.map((k) => {
      const f = snap[k];
      return f.ok ? '' : `${k}: ${f.error.message}`;
    });
    return {
      cause: 'unknown',
      confidence: 'possible',
      summary: `Nothing seen holding ${subjectText}, but part of the host could not be read, so a holder may be hidden (${reasons.join('; ')}).`,
    };
  }
  if (symptom && STAGE_SAYS_HELD[symptom.stage]) {
    return {
      cause: 'unknown',
      confidence: 'possible',
      summary: `The error you saw (${symptom.stage}) says something held ${subjectText}, but nothing holds it now: it was released since, or the error came from another host or engine.`,
    };
  }
  if (probe && probeFree) {
    return {
      cause: 'port-free',
      // the model saw a holder the kernel did not weigh: follow the kernel, but not with certainty
      confidence: probe.data.disagrees === true ? 'likely' : 'certain',
      summary: `Nothing holds ${subjectText} that would refuse it: no Docker allocation, no DNAT rule, and ${probe.message.replace(/^The kernel/, 'the kernel')}`,
    };
  }
  const pf = snap.probe;
  if (pf && !pf.ok && pf.error.code !== 'unsupported' && pf.error.code !== 'absent') {
    // the kernel should have been asked and could not be: a bound-only socket would go unseen
    return {
      cause: 'unknown',
      confidence: 'possible',
      summary: `Nothing seen holding ${subjectText}, but the engine's bind could not be asked of the kernel (${pf.error.message}): a bound or connected socket without SO_REUSEADDR would not show otherwise.`,
    };
  }
  const why = !pf?.ok
    ? (pf?.error.message ?? 'no bind probe')
    : probe
      ? `the test binds did not all succeed: ${probe.message}`
      : 'the bind probe did not cover this bind';
  return {
    cause: 'port-free',
    // only the kernel sees bound-only and connected sockets that can still refuse the bind
    confidence: 'likely',
    summary: `Nothing holds ${subjectText}: no listener, no Docker allocation and no DNAT rule for it; docker run -p would get it (not confirmed by the kernel: ${why}).`,
  };
}

export function subjectText(proto: string, ip: string | null, port: number): string {
  return ip === null ? `port ${port}/${proto} (0.0.0.0 and [::])` : `${displayAddr(ip, port)}/${proto}`;
}
