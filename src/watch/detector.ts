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

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null;

/** `timeNano` (integer nanoseconds), else `time` (integer seconds); null when one is there but not a whole number */
function timeNanoOf(o: Record<string, unknown>): bigint | null {
  const digits = (v: unknown): string | null => {
    const s = typeof v === 'number' && Number.isInteger(v) && v >= 0 ? String(v) : typeof v === 'string' ? v : null;
    return s !== null && /^\d{1,25}$/.test(s) ? s : null;
  };
  if (o.timeNano === undefined && o.time === undefined) return 0n;
  const n = digits(o.timeNano);
  if (n !== null) return BigInt(n);
  const s = digits(o.time);
  return s !== null ? BigInt(s) * 1_000_000_000n : null;
}

/** The Engine's /events JSON lines (both the old `status` and the new `Action` fields). */
export function parseEvent(line: string): DockerEvent | null {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return null;
  }
  // every field is checked: one malformed line must not throw inside the stream reader (it killed watch)
  if (!isObject(v)) return null;
  const o = v;
  if ((o.Type ?? 'container') !== 'container') return null;
  const actor = isObject(o.Actor) ? o.Actor : {};
  const attrs = isObject(actor.Attributes) ? actor.Attributes : {};
  const id = str(actor.ID) ?? str(o.id);
  const action = str(o.Action) ?? str(o.status);
  if (!id || !action) return null;
  const tn = timeNanoOf(o);
  if (tn === null) return null;
  const ec = str(attrs.exitCode);
  const exitCode = ec !== null && /^-?\d+$/.test(ec) ? Number(ec) : null;
  return { id, action, name: str(attrs.name), timeNano: tn, exitCode };
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
