// Snapshots recorded by test/live/probe.test.ts on the real engines, with what `docker run -p` did.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Snapshot } from '../../src/model.js';
import { loadSnapshot } from '../../src/snapshot/io.js';

const DIR = fileURLToPath(new URL('../fixtures/probe/', import.meta.url));

export interface ProbeCase {
  engine: string;
  name: string;
  snap: Snapshot;
  expect: { port: number; proto: 'tcp' | 'udp'; run: string; cause: string; pid?: number };
}

export function probeCases(): ProbeCase[] {
  return readdirSync(DIR).flatMap((engine) =>
    readdirSync(join(DIR, engine))
      .filter((f) => f.endsWith('.expect.json'))
      .map((f) => {
        const name = f.replace('.expect.json', '');
        return {
          engine,
          name,
          snap: loadSnapshot(join(DIR, engine, `${name}.snapshot.json`)),
          expect: JSON.parse(readFileSync(join(DIR, engine, f), 'utf8')) as ProbeCase['expect'],
        };
      }),
  );
}
