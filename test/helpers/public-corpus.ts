// The public-thread corpus (test/fixtures/corpus/public-errors.json) scored the way a user meets
// explain: the whole paste in, the top-level (primary) explanation out, compared with the stage and
// port labelled by hand from each thread's context.
import { readFileSync } from 'node:fs';
import { explain, primary } from '../../src/explain/explain.js';

export interface PublicEntry {
  readonly message: string;
  readonly source: string;
  readonly url: string;
  readonly stage: string;
  readonly port: number | null;
  /** labelled from batch 3 on: the protocol and host IP the text names (null: it names none) */
  readonly proto?: string | null;
  readonly ip?: string | null;
  readonly engine: string;
  readonly notes?: string;
  readonly split: 'tune' | 'heldout';
  /** 2, 3, 4: collected later from other threads, each scored untouched when it came in (see docs/explain-accuracy.md) */
  readonly batch?: number;
}

export const PUBLIC_CORPUS = new URL('../fixtures/corpus/public-errors.json', import.meta.url);

export function loadPublicCorpus(): PublicEntry[] {
  return JSON.parse(readFileSync(PUBLIC_CORPUS, 'utf8')) as PublicEntry[];
}

export interface Miss {
  readonly entry: PublicEntry;
  readonly stage: string;
  readonly port: number | null;
}

export interface Score {
  readonly n: number;
  readonly stageOk: number;
  readonly portOk: number;
  readonly stageAccuracy: number;
  readonly portAccuracy: number;
  /** over the entries labelled with proto / ip */
  readonly protoOk: number;
  readonly ipOk: number;
  readonly protoIpLabelled: number;
  readonly misses: readonly Miss[];
}

export function score(entries: readonly PublicEntry[]): Score {
  let stageOk = 0;
  let portOk = 0;
  let protoOk = 0;
  let ipOk = 0;
  let protoIpLabelled = 0;
  const misses: Miss[] = [];
  for (const e of entries) {
    // what the user knows about their setup: the engine field says "rootless" when they run rootless
    const p = primary(explain(e.message, { rootless: /rootless/i.test(e.engine) }));
    const stage = p?.stage ?? 'none';
    const port = p?.subject.port ?? null;
    if (stage === e.stage) stageOk++;
    if (port === e.port) portOk++;
    if (e.proto !== undefined && e.ip !== undefined) {
      protoIpLabelled++;
      if ((p?.subject.proto ?? null) === e.proto) protoOk++;
      if ((p?.subject.ip ?? null) === e.ip) ipOk++;
    }
    if (stage !== e.stage || port !== e.port) misses.push({ entry: e, stage, port });
  }
  const n = entries.length;
  return {
    n,
    stageOk,
    portOk,
    stageAccuracy: stageOk / n,
    portAccuracy: portOk / n,
    protoOk,
    ipOk,
    protoIpLabelled,
    misses,
  };
}
