// explain(text): offline reading of pasted port-publish errors, one explanation per message.
import { ENGINE_MARKERS, PATTERNS, type ExplainContext, type Pattern } from './patterns.js';
import { normalizeInput, splitRecords } from './normalize.js';
import type { Stage } from './stages.js';
import { extractSubject, type ErrorSubject } from './subject.js';

export interface EngineGuess {
  readonly product: string;
  readonly wording: readonly string[];
}

export interface Explanation {
  readonly stage: Stage;
  readonly subject: ErrorSubject;
  readonly engine: EngineGuess;
  readonly meaning: string;
  readonly next: readonly string[];
  /** true when something really holds the port; false for look-alikes (permission, address, firewall) */
  readonly conflict: boolean;
  readonly pattern: string | null;
  /** compose service or endpoint named in the message */
  readonly service: string | null;
  readonly line: number;
  readonly excerpt: string;
}

export interface ExplainResult {
  readonly explanations: readonly Explanation[];
}

function fill(t: string, s: ErrorSubject): string {
  const portArg =
    s.port === null
      ? 'PORT'
      : `${s.ip && s.ip !== '0.0.0.0' && s.ip !== '::' ? `${s.ip.includes(':') ? `[${s.ip}]` : s.ip}:` : ''}${s.port}${s.proto ? `/${s.proto}` : ''}`;
  // an alternative to a privileged port must itself be unprivileged: 80 → 8080, 443 → 8443, 22 → 8022
  // ("8{port}" gave 880 for 80, still below 1024)
  const unprivileged = s.port === null ? 'PORT' : String(s.port < 1024 ? s.port + 8000 : s.port);
  return t
    .replace(/\{unprivilegedPort\}/g, unprivileged)
    .replace(/\{port\}/g, s.port === null ? 'PORT' : String(s.port))
    .replace(/\{ip\}/g, s.ip ?? '0.0.0.0')
    .replace(/\{proto\}/g, s.proto ?? 'tcp')
    .replace(/\{portArg\}/g, portArg);
}

function classify(text: string, ctx: ExplainContext): Pattern | null {
  for (const p of PATTERNS)
    if (
      (p.re.test(text) || p.all?.some((g) => g.every((r) => r.test(text)))) &&
      !p.unless?.test(text) &&
      (!p.when || p.when(ctx))
    )
      return p;
  return null;
}

function engineOf(text: string): EngineGuess {
  const hits = ENGINE_MARKERS.filter((m) => m.re.test(text));
  const product =
    hits.find((h) => h.product !== 'compose' && !(h.product === 'docker' && h.label.startsWith('docker CLI')))
      ?.product ??
    hits[0]?.product ??
    'unknown';
  return { product, wording: [...new Set(hits.map((h) => h.label))] };
}

function serviceOf(text: string): string | null {
  const m =
    /ERROR: for (\S+)/.exec(text) ?? /on endpoint (\S+) \(/.exec(text) ?? /Cannot start service ([^:\s]+):/.exec(text);
  return m?.[1] ?? null;
}

export function explainOne(text: string, ctx: ExplainContext = {}, line = 1): Explanation | null {
  const p = classify(text, ctx);
  const subject = extractSubject(text);
  if (!p) return null;
  return {
    stage: p.stage,
    subject,
    engine: engineOf(text),
    meaning: p.meaning,
    next: p.next.map((n) => fill(n, subject)),
    conflict: p.conflict,
    pattern: p.id,
    service: serviceOf(text),
    line,
    excerpt: text.length > 400 ? `${text.slice(0, 400)}…` : text,
  };
}

/** Every message in a pasted error or a whole `docker compose up` log, each explained once. */
export function explain(raw: string, ctx: ExplainContext = {}): ExplainResult {
  const text = normalizeInput(raw);
  const out: Explanation[] = [];
  const seen = new Set<string>();
  for (const r of splitRecords(text)) {
    let e = explainOne(r.text, ctx, r.line);
    // a terminal may have wrapped a line mid-word ("alrea" / "dy in use"): retry the lines glued tight
    if (r.tight !== r.text) {
      const t = explainOne(r.tight, ctx, r.line);
      // a number cut by the wrap ("…:20" / "001: bind") reads longer when glued back
      const cut =
        e?.subject.port != null &&
        t?.subject.port != null &&
        t.subject.port !== e.subject.port &&
        String(t.subject.port).startsWith(String(e.subject.port));
      if (t && (!e || (e.subject.port === null && t.subject.port !== null) || cut))
        e = { ...t, excerpt: e?.excerpt ?? t.excerpt };
    }
    if (!e) continue;
    // compose v1 repeats each failure for the container and for the service
    // (and dockerd logs it twice: a warning without the endpoint, then the handler error)
    const base = `${e.stage}|${e.pattern}|${e.subject.proto}|${e.subject.ip}|${e.subject.port}`;
    const endpoint = /on endpoint (\S+)/.exec(r.text)?.[1] ?? null;
    const key = `${base}|${endpoint ?? (e.subject.port === null ? e.excerpt : '')}`;
    if (
      seen.has(key) ||
      (e.subject.port !== null &&
        (seen.has(`${base}|`) || (endpoint === null && [...seen].some((k) => k.startsWith(`${base}|`)))))
    )
      continue;
    seen.add(key);
    out.push(e);
  }
  return { explanations: out };
}

// wrappers that carry no reason of their own: the paste's cause is in another message
const GENERIC = new Set(['wrapper-only', 'compose-v1-host-in-use']);

/**
 * The explanation to lead with in a paste of several: the most informative one, not the first
 * line (a compose warning, a progress line or a cut-off first copy often comes first). A message
 * with its own reason beats a bare wrapper, one that names its port beats one that lost it (a copy
 * cut by compose's progress output), a real conflict beats a look-alike; ties go to the earlier
 * message.
 */
export function primary(r: ExplainResult): Explanation | null {
  let best: Explanation | null = null;
  let bestRank = -1;
  for (const e of r.explanations) {
    const rank = (GENERIC.has(e.pattern ?? '') ? 0 : 4) + (e.subject.port !== null ? 2 : 0) + (e.conflict ? 1 : 0);
    if (rank > bestRank) {
      best = e;
      bestRank = rank;
    }
  }
  return best;
}
