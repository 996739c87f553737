// Compose port syntax → bindings keyed the way dockerd decides: protocol, host IP (kept!),
// host port or range, and "ephemeral" for a container-only port ("8080"), which never clashes.
import type { Proto } from '../model.js';
import { normalizeIp } from '../util/ip.js';

export class PortSyntaxError extends Error {}

export interface ParsedPort {
  readonly proto: Proto;
  readonly hostIp: string | null;
  readonly hostPort: { start: number; end: number } | 'ephemeral';
  readonly containerPort: { start: number; end: number };
  /** index of the host-port text within the string, when there is one */
  readonly hostPortIndex: number | null;
  readonly hostPortText: string | null;
}

function range(s: string, what: string): { start: number; end: number } {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw new PortSyntaxError(`${what} "${s}" is not a port or a port range`);
  const start = Number(m[1]);
  const end = m[2] ? Number(m[2]) : start;
  for (const p of [start, end])
    if (p < 1 || p > 65535) throw new PortSyntaxError(`${what} ${p} is out of range (1-65535)`);
  if (end < start) throw new PortSyntaxError(`${what} range ${s} ends before it starts`);
  return { start, end };
}

function proto(p: string | undefined): Proto {
  const x = (p ?? 'tcp').toLowerCase();
  if (x !== 'tcp' && x !== 'udp')
    throw new PortSyntaxError(`protocol "${p}" is not published by docker-proxy (use tcp or udp)`);
  return x;
}

/** "[IP:][HOST:]CONTAINER[/PROTO]", IPv6 in brackets: "8080:80", "127.0.0.1:8080:80/udp", "[::1]:8080:80", "8000-8010:80", "80" */
export function parseShortPort(s: string): ParsedPort {
  const str = String(s).trim();
  const slash = str.lastIndexOf('/');
  const body = slash >= 0 ? str.slice(0, slash) : str;
  const pr = proto(slash >= 0 ? str.slice(slash + 1) : undefined);
  let ip: string | null = null;
  let rest = body;
  let offset = 0;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(body);
  if (v6) {
    ip = normalizeIp(v6[1] as string);
    if (!ip) throw new PortSyntaxError(`host IP "[${v6[1]}]" is not an IP address`);
    rest = v6[2] as string;
    offset = (v6[1] as string).length + 3;
  }
  const parts = rest.split(':');
  if (!v6 && parts.length === 3 && parts[0] === '') {
    // ":443:443": an empty host IP is Docker's default, every interface (as Compose reads it)
    offset = 1;
    parts.shift();
  } else if (!v6 && parts.length === 3) {
    ip = normalizeIp(parts[0] as string);
    if (!ip)
      throw new PortSyntaxError(`host IP "${parts[0]}" is not an IP address (IPv6 needs brackets: "[::1]:8080:80")`);
    offset = (parts[0] as string).length + 1;
    parts.shift();
  } else if (!v6 && parts.length > 3) {
    throw new PortSyntaxError(`"${str}" has too many colons (IPv6 host IPs need brackets: "[::1]:8080:80")`);
  }
  if (parts.length === 1) {
    if (ip) throw new PortSyntaxError(`"${str}" names a host IP but no host port`);
    return {
      proto: pr,
      hostIp: null,
      hostPort: 'ephemeral',
      containerPort: range(parts[0] as string, 'container port'),
      hostPortIndex: null,
      hostPortText: null,
    };
  }
  const [h, c] = parts as [string, string];
  const containerPort = range(c, 'container port');
  // host port 0: Docker picks one, as for an empty host port
  if (h === '' || h === '0')
    return { proto: pr, hostIp: ip, hostPort: 'ephemeral', containerPort, hostPortIndex: null, hostPortText: null };
  const hostPort = range(h, 'host port');
  if (
    hostPort.end - hostPort.start !== containerPort.end - containerPort.start &&
    containerPort.start !== containerPort.end
  ) {
    throw new PortSyntaxError(`host range ${h} and container range ${c} differ in size`);
  }
  return { proto: pr, hostIp: ip, hostPort, containerPort, hostPortIndex: offset, hostPortText: h };
}

/** long syntax: { target, published, host_ip, protocol, mode } */
export function parseLongPort(o: Record<string, unknown>): ParsedPort {
  if (o.target === undefined) throw new PortSyntaxError('long-syntax port needs "target"');
  const containerPort = range(String(o.target), 'target');
  // an empty host_ip is refused by docker compose config 2.40.3 ("invalid ip address: ") in the long
  // syntax, unlike the short syntax's ":443:443" (every interface): leave host_ip out instead
  if (o.host_ip === '')
    throw new PortSyntaxError('host_ip is empty (docker compose refuses it; leave host_ip out for every interface)');
  const ip = o.host_ip !== undefined ? normalizeIp(String(o.host_ip)) : null;
  if (o.host_ip !== undefined && !ip) throw new PortSyntaxError(`host_ip "${String(o.host_ip)}" is not an IP address`);
  const pub =
    o.published === undefined || o.published === '' || String(o.published) === '0' ? null : String(o.published);
  return {
    proto: proto(o.protocol === undefined ? undefined : String(o.protocol)),
    hostIp: ip,
    hostPort: pub === null ? 'ephemeral' : range(pub, 'published'),
    containerPort,
    hostPortIndex: pub === null ? null : 0,
    hostPortText: pub,
  };
}
