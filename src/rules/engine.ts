// Runs rules against a snapshot: a rule whose required facts are missing is inconclusive (never
// "clear"), and a rule that throws is reported, not fatal (Lighthouse's _runAudit contract).
import type { FactKey, Finding, Inconclusive, Snapshot, Subject, Symptom } from '../model.js';
import { buildIndex } from '../snapshot/index.js';
import { formatMessage } from '../util/message.js';
import type { Rule } from './types.js';

const FACT_NAMES: Record<FactKey, string> = {
  host: 'host facts (/proc/sys)',
  sockets: 'sockets (/proc/net)',
  processes: 'socket owners (/proc/<pid>/fd)',
  engine: 'the Docker engine (API /info)',
  containers: 'containers (Docker API)',
  iptablesNft: 'iptables-nft rules',
  iptablesLegacy: 'iptables-legacy rules',
  nft: 'nft rules',
  probe: "the bind probe (the engine's bind asked of the kernel)",
};

function why(snap: Snapshot, k: FactKey): string {
  const f = snap[k];
  return f.ok ? '' : `${FACT_NAMES[k]}: ${f.error.message}`;
}

export interface RuleRun {
  readonly findings: Finding[];
  readonly inconclusive: Inconclusive[];
}

export function runRules(snap: Snapshot, subject: Subject, symptom: Symptom | null, list: readonly Rule[]): RuleRun {
  const index = buildIndex(snap, subject);
  const findings: Finding[] = [];
  const inconclusive: Inconclusive[] = [];
  for (const rule of list) {
    const missing = rule.meta.requires.filter((k) => !snap[k].ok);
    const anyOf = rule.meta.anyOf ?? [];
    const missingAny = anyOf.filter((k) => !snap[k].ok);
    if (missing.length || (anyOf.length && missingAny.length === anyOf.length)) {
      const all = [...missing, ...missingAny];
      inconclusive.push({
        rule: rule.meta.id,
        missing: all,
        why: `cannot check "${rule.meta.description}" without ${all.map((k) => why(snap, k)).join('; ')}`,
      });
      continue;
    }
    if (missingAny.length) {
      inconclusive.push({
        rule: rule.meta.id,
        missing: missingAny,
        why: `partly blind: ${missingAny.map((k) => why(snap, k)).join('; ')}`,
      });
    }
    try {
      for (const d of rule.check({ snap, subject, symptom, index })) {
        findings.push({
          rule: rule.meta.id,
          cause: rule.meta.cause,
          severity: d.severity,
          confidence: d.confidence,
          messageId: d.messageId,
          message: formatMessage(rule.meta.messages[d.messageId] ?? d.messageId, d.data),
          holders: d.holders,
          evidence: d.evidence,
          data: d.data,
        });
      }
    } catch (e) {
      inconclusive.push({ rule: rule.meta.id, missing: [], why: `rule crashed: ${(e as Error).message}` });
    }
  }
  return { findings, inconclusive };
}
