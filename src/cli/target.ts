// Parse the diagnose target: PORT[/PROTO] | IP:PORT[/PROTO] | [IPv6]:PORT[/PROTO].
import type { Proto } from '../model.js';
import { escapeControl } from '../util/escape.js';
import { normalizeIp } from '../util/ip.js';

// known by its name as well: diagnose's bundle (dist/diagnose.cjs) throws its own copy of this class
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const isUsageError = (e: unknown): boolean => e instanceof Error && e.name === 'UsageError';

export interface Target {
  readonly ip: string | null;
  readonly port: number;
  readonly proto: Proto | null;
}

/** An argument as echoed in a message: at most 40 characters (a 100,000-digit port was echoed whole, twice). */
export function shown(raw: string, max = 40): string {
  const s = raw.length > max ? `${raw.slice(0, max - 12)}…(${raw.length} chars)` : raw;
  return escapeControl(s);
}

/** The most setTimeout takes (2^31-1 ms, 24.8 days); past it Node warns and fires at once. */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * A numeric option: the one parser behind --timeout, --cache-seconds and --restart-threshold, so each
 * refuses a fraction, a sign, an exponent or a typo with exit 2 instead of quietly becoming NaN or Infinity.
 */
export function numberOption(
  raw: string,
  o: { flag: string; min: number; max: number; whole: boolean; what: string; example: number },
): number {
  const t = raw.trim();
  const n = (o.whole ? /^\d{1,16}$/ : /^\d{1,16}(\.\d{1,9})?$/).test(t) ? Number(t) : NaN;
  if (!Number.isFinite(n) || n < o.min || n > o.max)
    throw new UsageError(
      `${o.flag} "${shown(raw)}" is not ${o.what}: give ${o.whole ? 'a whole number' : 'a number'} from ${o.min} to ${o.max} (e.g. ${o.flag} ${o.example})`,
    );
  return n;
}

/** `--timeout MS`: a whole number of milliseconds, 1 to 2147483647. */
export function parseTimeout(raw: string | undefined, flag = '--timeout'): number | undefined {
  if (raw === undefined) return undefined;
  return numberOption(raw, {
    flag,
    min: 1,
    max: MAX_TIMEOUT_MS,
    whole: true,
    what: 'a positive number of milliseconds',
    example: 3000,
  });
}

export function parseTarget(raw: string): Target {
  const s = raw.trim();
  const r = shown(raw);
  const m = /^(?:(\[[^\]]+\]|[^\s/[\]]+):)?(\d+)(?:\/(\w+))?$/.exec(s);
  if (!m) {
    throw new UsageError(
      `target "${r}" is not PORT[/PROTO] or IP:PORT[/PROTO] (examples: 8080, 8080/udp, 127.0.0.1:8080, [::1]:8080/tcp)`,
    );
  }
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(
      m[2] === raw.trim()
        ? `port ${r} is out of range: a host port is 1-65535`
        : `port ${shown(m[2] ?? '')} in "${r}" is out of range: a host port is 1-65535`,
    );
  const proto = m[3]?.toLowerCase();
  if (proto !== undefined && proto !== 'tcp' && proto !== 'udp') {
    throw new UsageError(
      `protocol "${shown(m[3] ?? '')}" in "${r}" is not supported: use tcp or udp (sctp is not published through docker-proxy)`,
    );
  }
  let ip: string | null = null;
  if (m[1]) {
    ip = normalizeIp(m[1]);
    if (!ip)
      throw new UsageError(
        `"${shown(m[1])}" in "${r}" is not an IP address; write IPv6 in brackets, e.g. [::1]:${port}`,
      );
  }
  return { ip, port, proto: (proto as Proto | undefined) ?? null };
}
