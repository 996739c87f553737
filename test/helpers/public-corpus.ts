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
  readonly engine: string;
  readonly notes?: string;
  readonly split: 'tune' | 'heldout';
  /** 2: collected after the tuning was done, scored once, never tuned on */
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
  readonly misses: readonly Miss[];
}

export function score(entries: readonly PublicEntry[]): Score {
  let stageOk = 0;
  let portOk = 0;
  const misses: Miss[] = [];
  for (const e of entries) {
    // what the user knows about their setup: the engine field says "rootless" when they run rootless
    const p = primary(explain(e.message, { rootless: /rootless/i.test(e.engine) }));
    const stage = p?.stage ?? 'none';
    const port = p?.subject.port ?? null;
    if (stage === e.stage) stageOk++;
    if (port === e.port) portOk++;
    if (stage !== e.stage || port !== e.port) misses.push({ entry: e, stage, port });
  }
  const n = entries.length;
  return { n, stageOk, portOk, stageAccuracy: stageOk / n, portAccuracy: portOk / n, misses };
}
