// Parse the diagnose target: PORT[/PROTO] | IP:PORT[/PROTO] | [IPv6]:PORT[/PROTO].
import type { Proto } from '../model.js';
import { normalizeIp } from '../util/ip.js';

export class UsageError extends Error {}

export interface Target {
  readonly ip: string | null;
  readonly port: number;
  readonly proto: Proto | null;
}

export function parseTarget(raw: string): Target {
  const s = raw.trim();
  const m = /^(?:(\[[^\]]+\]|[^\s/[\]]+):)?(\d+)(?:\/(\w+))?$/.exec(s);
  if (!m) {
    throw new UsageError(
      `target "${raw}" is not PORT[/PROTO] or IP:PORT[/PROTO] (examples: 8080, 8080/udp, 127.0.0.1:8080, [::1]:8080/tcp)`,
    );
  }
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new UsageError(`port ${m[2]} in "${raw}" is out of range: a host port is 1-65535`);
  const proto = m[3]?.toLowerCase();
  if (proto !== undefined && proto !== 'tcp' && proto !== 'udp') {
    throw new UsageError(
      `protocol "${m[3]}" in "${raw}" is not supported: use tcp or udp (sctp is not published through docker-proxy)`,
    );
  }
  let ip: string | null = null;
  if (m[1]) {
    ip = normalizeIp(m[1]);
    if (!ip)
      throw new UsageError(`"${m[1]}" in "${raw}" is not an IP address; write IPv6 in brackets, e.g. [::1]:${port}`);
  }
  return { ip, port, proto: (proto as Proto | undefined) ?? null };
}
