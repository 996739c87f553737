import { readDaemonConfig } from '../../collect/docker.js';
import { nodeHostIO } from '../../collect/host-io.js';
import { openLogLines } from '../../collect/daemon-log.js';
import { watch, type WatchLine } from '../../watch/watcher.js';
import { escapeControl } from '../../util/escape.js';

function human(l: WatchLine): string {
  const who = l.container ? ` ${l.container.name ?? l.container.id.slice(0, 12)}` : '';
  // container names and summaries come from the daemon: control characters escaped
  return escapeControl(
    `[${l.time}] ${l.event}${who}${l.cause ? ` → ${l.cause}` : ''}${l.summary ? `: ${l.summary}` : ''}`,
  );
}

export async function runWatch(o: { json?: boolean; restartThreshold?: string }): Promise<number> {
  const ac = new AbortController();
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, () => ac.abort());
  const io = nodeHostIO();
  const logLines = await openLogLines(io, readDaemonConfig(io).dockerdPids[0] ?? null);
  await watch({
    io,
    signal: ac.signal,
    logLines,
    restartThreshold: o.restartThreshold ? Number(o.restartThreshold) : undefined,
    emit: (l) => {
      if (o.json) {
        process.stdout.write(`${JSON.stringify(l)}\n`);
        process.stderr.write(`${human(l)}\n`);
      } else process.stdout.write(`${human(l)}\n`);
    },
  });
  return 0;
}
