// Pure judgement of the Docker events stream: which containers failed to start on a port, and
// which are in a restart loop. The watcher (I/O) feeds it events and inspect answers.

export interface DockerEvent {
  readonly id: string;
  readonly action: string;
  readonly name: string | null;
  /** unix nanoseconds */
  readonly timeNano: bigint;
  readonly exitCode: number | null;
}

/** The Engine's /events JSON lines (both the old `status` and the new `Action` fields). */
export function parseEvent(line: string): DockerEvent | null {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
  if ((o.Type ?? 'container') !== 'container') return null;
  const actor = (o.Actor ?? {}) as { ID?: string; Attributes?: Record<string, string> };
  const id = String(actor.ID ?? o.id ?? '');
  const action = String(o.Action ?? o.status ?? '');
  if (!id || !action) return null;
  const tn = o.timeNano !== undefined ? BigInt(String(o.timeNano)) : BigInt(Number(o.time ?? 0)) * 1_000_000_000n;
  const ec = actor.Attributes?.exitCode;
  return {
    id,
    action,
    name: actor.Attributes?.name ?? null,
    timeNano: tn,
    exitCode: ec !== undefined ? Number(ec) : null,
  };
}

export interface LoopState {
  readonly dies: bigint[];
}

/** A restart loop: `threshold` deaths within `windowSec`. Returns the count when it trips. */
export class RestartCounter {
  private readonly dies = new Map<string, bigint[]>();
  private readonly reported = new Map<string, bigint>();
  constructor(
    private readonly threshold = 3,
    private readonly windowSec = 120,
  ) {}
  onDie(e: DockerEvent): number | null {
    const w = BigInt(this.windowSec) * 1_000_000_000n;
    const list = (this.dies.get(e.id) ?? []).filter((t) => e.timeNano - t < w);
    list.push(e.timeNano);
    this.dies.set(e.id, list);
    const last = this.reported.get(e.id);
    if (list.length >= this.threshold && (last === undefined || e.timeNano - last >= w)) {
      this.reported.set(e.id, e.timeNano);
      return list.length;
    }
    return null;
  }
  forget(id: string): void {
    this.dies.delete(id);
    this.reported.delete(id);
  }
}

/** State.Error of a container whose start failed ("created", exit 128) */
export function startFailure(inspect: unknown): { error: string; name: string; state: string } | null {
  const o = inspect as { Name?: string; State?: { Status?: string; Error?: string } } | null;
  const err = o?.State?.Error ?? '';
  if (!err) return null;
  return { error: err, name: (o?.Name ?? '').replace(/^\//, ''), state: o?.State?.Status ?? '' };
}
