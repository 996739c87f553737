// Save and load snapshots. A loaded file is checked before any rule sees it.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Snapshot } from '../model.js';
import { FACT_KEYS } from '../model.js';

export class SnapshotFileError extends Error {
  override readonly name = 'SnapshotFileError';
}

export function parseSnapshot(text: string, origin: string): Snapshot {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch (e) {
    throw new SnapshotFileError(
      `${origin} is not JSON (${(e as Error).message}); make one with: portdoctor collect --out FILE`,
    );
  }
  const s = o as Partial<Snapshot> | null;
  if (!s || typeof s !== 'object' || s.schema !== 'portdoctor.snapshot/1') {
    throw new SnapshotFileError(
      `${origin} is not a portdoctor snapshot (schema "${String((s as { schema?: unknown } | null)?.schema)}", expected "portdoctor.snapshot/1"); make one with: portdoctor collect --out FILE`,
    );
  }
  // snapshots recorded before the bind probe existed replay without it
  if ((s as Record<string, unknown>).probe === undefined)
    (s as Record<string, unknown>).probe = {
      ok: false,
      error: { code: 'absent', message: 'the snapshot was recorded without a bind probe' },
      source: 'snapshot',
    };
  for (const k of FACT_KEYS) {
    const f = (s as Record<string, unknown>)[k] as { ok?: unknown } | undefined;
    if (!f || typeof f.ok !== 'boolean') throw new SnapshotFileError(`${origin}: fact "${k}" is missing or malformed`);
  }
  return s as Snapshot;
}

export function loadSnapshot(path: string): Snapshot {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SnapshotFileError(
      `cannot read snapshot ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  return parseSnapshot(text, path);
}

export function saveSnapshot(path: string, s: Snapshot): void {
  writeFileSync(path, `${JSON.stringify(s, null, 1)}\n`);
}
