import { readDaemonConfig } from '../../collect/docker.js';
import { nodeHostIO } from '../../collect/host-io.js';
import { openLogLines } from '../../collect/daemon-log.js';
import { watch, type WatchLine } from '../../watch/watcher.js';
import type { WatchLineJson } from '../json-types.js';
import { numberOption } from '../target.js';
import { escapeControl } from '../../util/escape.js';

function human(l: WatchLine): string {
  const who = l.container ? ` ${l.container.name ?? l.container.id.slice(0, 12)}` : '';
  // container names and summaries come from the daemon: control characters escaped
  return escapeControl(
    `[${l.time}] ${l.event}${who}${l.cause ? ` → ${l.cause}` : ''}${l.summary ? `: ${l.summary}` : ''}`,
  );
}

/** deaths within the window that make a loop: a whole number from 1 (a typo must not switch detection off) */
export function restartThresholdOf(raw: string | undefined): number {
  if (raw === undefined) return 3;
  return numberOption(raw, {
    flag: '--restart-threshold',
    min: 1,
    max: 100_000,
    whole: true,
    what: 'a whole number of deaths from 1 to 100000',
    example: 3,
  });
}

export async function runWatch(o: { json?: boolean; restartThreshold?: string }): Promise<number> {
  const restartThreshold = restartThresholdOf(o.restartThreshold);
  const ac = new AbortController();
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => ac.abort());
  const io = nodeHostIO();
  const logLines = await openLogLines(io, readDaemonConfig(io).dockerdPids[0] ?? null);
  await watch({
    io,
    signal: ac.signal,
    logLines,
    restartThreshold,
    emit: (l) => {
      if (o.json) {
        process.stdout.write(`${JSON.stringify(l satisfies WatchLineJson)}\n`);
        process.stderr.write(`${human(l)}\n`);
      } else process.stdout.write(`${human(l)}\n`);
    },
  });
  return 0;
}
