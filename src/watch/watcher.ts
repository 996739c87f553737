// `portdoctor watch`: follow the Docker events stream; when a container start fails on a port (or
// a container loops), diagnose the host at that moment and emit one JSON line. Reconnects when
// dockerd restarts, asking for the events it missed with `since=`, so the failure that caused the
// restart is not lost.
import { setMaxListeners } from 'node:events';
import { collectSnapshot } from '../collect/index.js';
import { dockerEndpoint, type HostIO } from '../collect/host-io.js';
import { diagnose, resolveSubject } from '../diagnose.js';
import type { Diagnosis } from '../model.js';
import { symptomFrom } from '../symptom.js';
import { failedStartLine } from '../collect/daemon-log.js';
import { parseEvent, RestartCounter, startFailure, type DockerEvent } from './detector.js';

export interface WatchLine {
  readonly time: string;
  readonly event: 'start-failed' | 'restart-loop' | 'disconnected' | 'reconnected' | 'watching';
  readonly container: { readonly id: string; readonly name: string | null } | null;
  readonly cause: string | null;
  readonly summary?: string;
  readonly error?: string;
  readonly restarts?: number;
  readonly diagnosis?: Diagnosis;
}

export interface WatchOptions {
  readonly io: HostIO;
  readonly emit: (l: WatchLine) => void;
  readonly signal: AbortSignal;
  /** the start-failure probe after a `create` (ms) */
  readonly probeDelays?: readonly number[];
  readonly restartThreshold?: number;
  /** called for each decoded event (metrics) */
  readonly onEvent?: (e: DockerEvent) => void;
  readonly onStartFailure?: (stage: string) => void;
  readonly now?: () => Date;
  /**
   * dockerd's log, polled for failed starts the events stream never shows: `docker start` of an
   * existing container fails with no event at all; only the API handler's log line tells.
   */
  readonly logLines?: { poll(): Promise<string[]> } | null;
  readonly logPollMs?: number;
}

/**
 * Resolves after `ms`, or at once on abort. The abort listener is removed when the timer fires: a
 * `{ once: true }` listener stays on the signal until abort, and the log poll sleeps twice a second.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((r) => {
    if (signal.aborted) return r();
    const onAbort = (): void => {
      clearTimeout(t);
      r();
    };
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      r();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function inspect(io: HostIO, id: string): Promise<unknown> {
  const r = await io.dockerGet(`/containers/${id}/json`, { timeoutMs: 4000 });
  return r.status === 200 ? JSON.parse(r.body) : null;
}

async function diagnoseError(io: HostIO, error: string, ports: number[]): Promise<Diagnosis | null> {
  const symptom = symptomFrom(error);
  const subject = resolveSubject({ symptom, port: symptom?.port ?? ports[0] ?? null });
  if (!subject) return null;
  return diagnose(await collectSnapshot(io, { ports: [subject.port] }), subject, symptom);
}

function configuredPorts(insp: unknown): number[] {
  const pb =
    (insp as { HostConfig?: { PortBindings?: Record<string, Array<{ HostPort?: string }> | null> } } | null)?.HostConfig
      ?.PortBindings ?? {};
  return Object.values(pb).flatMap((l) => (l ?? []).map((b) => Number(b.HostPort)).filter((n) => n > 0));
}

export async function watch(o: WatchOptions): Promise<void> {
  // every start probe in flight sleeps on the signal (one listener each, removed when it wakes): a burst
  // of container creates runs dozens at once, which is not the leak Node's default limit of 10 warns of
  setMaxListeners(200, o.signal);
  const now = o.now ?? (() => new Date());
  const loops = new RestartCounter(o.restartThreshold ?? 3);
  const probeDelays = o.probeDelays ?? [150, 400, 1000, 2500];
  let since: bigint | null = null;
  const seen = new Set<string>();
  let backoff = 250;
  let connectedOnce = false;
  // one report per failure: a container id is reported again only after a quiet spell
  const reported = new Map<string, number>();
  const fresh = (id: string): boolean => Date.now() - (reported.get(id) ?? -Infinity) > 5000;
  const reportFailure = async (
    id: string,
    nameHint: string | null,
    insp: unknown,
    errorFromLog?: string,
  ): Promise<boolean> => {
    const f = startFailure(insp) ?? (errorFromLog ? { error: errorFromLog, name: '', state: '' } : null);
    if (!f || !fresh(id)) return Boolean(f);
    reported.set(id, Date.now());
    const diagnosis = await diagnoseError(o.io, f.error, configuredPorts(insp)).catch(() => null);
    o.onStartFailure?.(diagnosis?.symptom?.stage ?? 'other');
    o.emit({
      time: now().toISOString(),
      event: 'start-failed',
      container: { id, name: f.name || nameHint },
      cause: diagnosis?.verdict.cause ?? null,
      summary: diagnosis?.verdict.summary,
      error: f.error,
      ...(diagnosis ? { diagnosis } : {}),
    });
    return true;
  };
  /** after a (re)connect: failed starts the stream could not tell us about (dockerd keeps events in memory only) */
  const sweep = async (sinceNano: bigint | null): Promise<void> => {
    const filters = encodeURIComponent(JSON.stringify({ status: ['created'] }));
    const r = await o.io.dockerGet(`/containers/json?all=1&filters=${filters}`, { timeoutMs: 4000 }).catch(() => null);
    if (!r || r.status !== 200) return;
    for (const c of JSON.parse(r.body) as Array<{ Id: string; Created: number; Names?: string[] }>) {
      if (sinceNano !== null && BigInt(c.Created) * 1_000_000_000n < sinceNano - 5_000_000_000n) continue;
      await reportFailure(
        c.Id,
        (c.Names?.[0] ?? '').replace(/^\//, '') || null,
        await inspect(o.io, c.Id).catch(() => null),
      );
    }
  };
  const handle = async (e: DockerEvent): Promise<void> => {
    o.onEvent?.(e);
    if (e.action === 'create') {
      for (const d of probeDelays) {
        await sleep(d, o.signal);
        if (o.signal.aborted) return;
        const insp = await inspect(o.io, e.id).catch(() => null);
        if (await reportFailure(e.id, e.name, insp)) return;
        const state = (insp as { State?: { Status?: string } } | null)?.State?.Status;
        if (state === 'running' || state === 'exited' || insp === null) return;
      }
    } else if (e.action === 'die') {
      const n = loops.onDie(e);
      if (n !== null) {
        const insp = await inspect(o.io, e.id).catch(() => null);
        const ports = configuredPorts(insp);
        const diagnosis = ports.length ? await diagnoseError(o.io, '', ports).catch(() => null) : null;
        o.emit({
          time: now().toISOString(),
          event: 'restart-loop',
          container: { id: e.id, name: e.name },
          cause: diagnosis?.verdict.cause ?? null,
          restarts: n,
          summary: `${e.name ?? e.id.slice(0, 12)} died ${n} times within 2 minutes (last exit code ${e.exitCode ?? '?'})${diagnosis ? `; its port ${diagnosis.subject.port}: ${diagnosis.verdict.summary}` : ''}`,
          ...(diagnosis ? { diagnosis } : {}),
        });
      }
    } else if (e.action === 'destroy') loops.forget(e.id);
  };

  if (o.logLines) {
    const logs = o.logLines;
    void (async () => {
      while (!o.signal.aborted) {
        await sleep(o.logPollMs ?? 500, o.signal);
        for (const line of await logs.poll().catch(() => [] as string[])) {
          const f = failedStartLine(line);
          if (!f || !fresh(f.id)) continue;
          const insp = await inspect(o.io, f.id).catch(() => null);
          const id = (insp as { Id?: string } | null)?.Id ?? f.id;
          if (!fresh(id)) continue;
          await reportFailure(id, (insp as { Name?: string } | null)?.Name?.replace(/^\//, '') ?? null, insp, f.error);
        }
      }
    })();
  }
  const ep = dockerEndpoint(o.io.env);
  const where = ep.socketPath !== undefined ? `unix://${ep.socketPath}` : `tcp://${ep.host ?? '?'}:${ep.port ?? '?'}`;
  let streamError: string | null = null;
  while (!o.signal.aborted) {
    const filters = encodeURIComponent(JSON.stringify({ type: ['container'] }));
    // replay what happened while disconnected (seconds resolution; duplicates are dropped below)
    const path = `/events?filters=${filters}${since !== null ? `&since=${since / 1_000_000_000n}` : ''}`;
    let buf = '';
    const pending: Promise<void>[] = [];
    try {
      await o.io.dockerStream(
        path,
        (chunk) => {
          backoff = 250;
          buf += chunk;
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            // a line that is not a container event (malformed, truncated) is skipped, never fatal
            const e = parseEvent(line);
            if (!e) continue;
            const key = `${e.id}|${e.action}|${e.timeNano}`;
            if (seen.has(key)) continue;
            seen.add(key);
            if (seen.size > 10_000) seen.clear();
            if (since === null || e.timeNano > since) since = e.timeNano;
            pending.push(handle(e));
          }
        },
        o.signal,
        () => {
          // the stream is open: say so, then sweep for failures made while we were away
          o.emit({
            time: now().toISOString(),
            event: connectedOnce ? 'reconnected' : 'watching',
            container: null,
            cause: null,
          });
          const first = !connectedOnce;
          connectedOnce = true;
          pending.push(first ? Promise.resolve() : sweep(since));
        },
      );
      streamError = null;
    } catch (e) {
      streamError = (e as Error).message || String(e);
    }
    await Promise.allSettled(pending);
    if (o.signal.aborted) break;
    o.emit({
      time: now().toISOString(),
      event: 'disconnected',
      container: null,
      cause: null,
      summary:
        streamError === null
          ? `the Docker events stream of ${where} ended (dockerd restarted?); reconnecting`
          : `cannot follow the Docker events of ${where} (${streamError}); retrying in ${backoff} ms. Is dockerd running? DOCKER_HOST or the docker context choose the daemon`,
    });
    await sleep(backoff, o.signal);
    backoff = Math.min(backoff * 2, 5000);
    if (since === null) since = BigInt(now().getTime()) * 1_000_000n;
  }
}
