// Pull (proto, host IP, port, family, range) out of an error message. Ordered extractors, most
// specific wording first; none of them invents a port that is not in the text.
import type { Family, Proto } from '../model.js';
import { familyOf, normalizeIp } from '../util/ip.js';

export interface ErrorSubject {
  readonly proto: Proto | null;
  readonly ip: string | null;
  readonly port: number | null;
  readonly family: Family | null;
  /** a published range (-p 8080-8082:…) and the one port in it that failed */
  readonly range: { readonly start: number; readonly end: number } | null;
}

/** port null: the text names the protocol or IP but no host port (kept only when no extractor finds a port) */
type Ex = (s: string) => (Partial<ErrorSubject> & { port: number | null }) | null;

// bounded: an address is at most 45 characters, and unbounded runs backtrack on hostile pastes
const IP = String.raw`(\[[0-9a-fA-F:.]{1,45}\]|[0-9a-fA-F:.]{0,45}?)`;
const proto = (p: string | undefined): Proto | null => {
  const x = (p ?? '').toLowerCase();
  return x.startsWith('tcp') ? 'tcp' : x.startsWith('udp') ? 'udp' : null;
};
const fam = (p: string | undefined): Family | null => (p?.endsWith('4') ? 4 : p?.endsWith('6') ? 6 : null);

const EXTRACTORS: readonly Ex[] = [
  // 28.x range: failed to bind host port 8081 for 0.0.0.0:8080-8082:172.19.0.2:82/tcp
  (s) => {
    const m = new RegExp(
      String.raw`failed to bind host port (\d{1,5}) for ${IP}:(\d{1,5})-(\d{1,5}):[^\s/]{0,64}/(tcp|udp|sctp)`,
      'i',
    ).exec(s);
    return m
      ? { port: Number(m[1]), ip: m[2] ?? null, range: { start: Number(m[3]), end: Number(m[4]) }, proto: proto(m[5]) }
      : null;
  },
  // 28.x: failed to bind host port for 0.0.0.0:8080:172.19.0.2:80/tcp
  (s) => {
    const m = new RegExp(
      String.raw`failed to bind host port for ${IP}:(\d{1,5}):[^\s/]{0,64}/(tcp|udp|sctp)`,
      'i',
    ).exec(s);
    return m ? { port: Number(m[2]), ip: m[1] ?? null, proto: proto(m[3]) } : null;
  },
  // 29.x: failed to bind host port 127.0.0.1:12345/udp ; 27.x: failed to bind port 0.0.0.0:5432/tcp
  (s) => {
    const m = new RegExp(String.raw`failed to bind (?:host )?port ${IP}:(\d+)/(tcp|udp|sctp)`, 'i').exec(s);
    return m ? { port: Number(m[2]), ip: m[1] ?? null, proto: proto(m[3]) } : null;
  },
  // allocator and vpnkit: Bind for 0.0.0.0:80 failed / Bind for :::10000 failed / Bind for 0.0.0.0:80: unexpected
  (s) => {
    const m =
      /Bind for (\S{1,64}?):(\d{1,5})(?: failed|:)/i.exec(s) ?? /Bind for (\S{1,64}):(\d{1,5})(?: failed|:)/i.exec(s);
    return m && m[1] !== '%a' && m[1] !== '%s' ? { port: Number(m[2]), ip: m[1] ?? null } : null;
  },
  // Desktop: exposing port TCP 0.0.0.0:5000 -> 0.0.0.0:0 / exposing port TCP 0.0.0.0:3001 /forwards/expose …
  (s) => {
    const m = /exposing port (TCP|UDP) (\S{1,64}):(\d{1,5})(?= |$)/i.exec(s);
    return m ? { port: Number(m[3]), ip: m[2] ?? null, proto: proto(m[1]) } : null;
  },
  // Desktop (vpnkit port state): mkdir /port/tcp:0.0.0.0:3000:tcp:172.17.0.2:80
  (s) => {
    const m = /mkdir \/port\/(tcp|udp):([\d.]{7,15}):(\d{1,5}):/i.exec(s);
    return m ? { port: Number(m[3]), ip: m[2] ?? null, proto: proto(m[1]) } : null;
  },
  // Swarm: port '2181' is already in use by service 'x' / classic swarm: no node with port 8080 available
  (s) => {
    const m = /port '(\d{1,5})' is already in use by service|unable to find a node with port (\d{1,5}) available/i.exec(
      s,
    );
    return m ? { port: Number(m[1] ?? m[2]) } : null;
  },
  // pasta: Failed to bind port 2222 (Address already in use) for option '-t 2222-2222:22-22'
  (s) => {
    const m = /Failed to bind port (\d{1,5}) \([^)]{0,200}\) for option '-([tu]) ([^\s',]{1,64})'?(?:,|$|\s)/i.exec(s);
    if (!m) return null;
    const r = /^(\d+)-(\d+):/.exec(m[3] ?? '');
    const range = r && r[1] !== r[2] ? { start: Number(r[1]), end: Number(r[2]) } : null;
    return { port: Number(m[1]), proto: m[2] === 'u' ? 'udp' : 'tcp', range };
  },
  // rootless privileged port (before the listen text, which may carry a redacted IP)
  (s) => {
    const m = /cannot expose privileged port (\d+)/i.exec(s);
    if (!m) return null;
    const l = new RegExp(String.raw`listen (tcp|udp)([46]?) ${IP}:${m[1]}\b`, 'i').exec(s);
    return { port: Number(m[1]), proto: proto(l?.[1]), ip: l?.[3] || null, family: fam(l?.[2]) };
  },
  // Go's net error: listen tcp4 0.0.0.0:18101 / listen tcp6 [::]:8080 / listen tcp :8080
  (s) => {
    const m = new RegExp(String.raw`listen (tcp|udp)([46]?) ${IP}:(\d+)\b`, 'i').exec(s);
    return m ? { port: Number(m[4]), ip: m[3] || null, proto: proto(m[1]), family: fam(m[2]) } : null;
  },
  // podman 5: Port(s) already bound: 80: Permission denied
  (s) => {
    const m = /already bound: (\d{1,5}):/.exec(s);
    return m ? { port: Number(m[1]) } : null;
  },
  // Rust / hyper applications: error binding to [::]:8080: …
  (s) => {
    const m = new RegExp(String.raw`error binding to ${IP}:(\d{1,5})\b`, 'i').exec(s);
    return m ? { port: Number(m[2]), ip: m[1] ?? null } : null;
  },
  // a redacted host IP (listen tcp MYIP:443 / <ip>:443 / xxx.247.131.221:80): the port is still the text's
  (s) => {
    const m = /listen (tcp|udp)([46]?) <?[\w.*-]{1,45}?>?:(\d{1,5}): bind/i.exec(s);
    return m ? { port: Number(m[3]), proto: proto(m[1]), family: fam(m[2]) } : null;
  },
  // dnsmasq: failed to create listening socket for port 53 ; HAProxy: cannot create listening socket [:::2375]
  (s) => {
    const m =
      /listening socket for port (\d{1,5})/.exec(s) ??
      /cannot (?:create listening|bind) socket \[([0-9a-fA-F:.]{0,45}):(\d{1,5})\]/.exec(s);
    if (!m) return null;
    return m[2] === undefined ? { port: Number(m[1]) } : { port: Number(m[2]), ip: m[1] || null };
  },
  // pasta: Listen failed for HOST TCP port */80
  (s) => {
    const m = /Listen failed for HOST (TCP|UDP) port \*?\/?(\d+)/i.exec(s);
    return m ? { port: Number(m[2]), proto: proto(m[1]) } : null;
  },
  // iptables argv: -p tcp ... --dport 10000 (the NAT rule's --dport is the host port; a filter rule's
  // -d CONTAINER_IP --dport is the container's port, so the host port is not in the text)
  (s) => {
    const m = /--dport (\d+)/.exec(s);
    if (!m) return null;
    const p = /-p (tcp|udp)\b/.exec(s);
    // (so is the hairpin MASQUERADE rule's: -s/-d the container's IP, --dport its port)
    if (/-t filter\b|-j (?:ACCEPT|MASQUERADE)\b/.test(s) && !/-j DNAT\b/.test(s))
      return { port: null, proto: proto(p?.[1]) };
    const d = /-d (\d+\.\d+\.\d+\.\d+)(?:\/32)? /.exec(s);
    return { port: Number(m[1]), proto: proto(p?.[1]), ip: d?.[1] && d[1] !== '0' ? d[1] : null };
  },
  // applications: Apache make_sock, Kestrel, Python asyncio, nginx socket(), Node.js listen
  (s) => {
    const m =
      /could not bind to address (\[[0-9a-fA-F:.]{1,45}\]|[\d.]{7,15}):(\d{1,5})/.exec(s) ??
      /Failed to bind to address https?:\/\/(\[[0-9a-fA-F:.]{1,45}\]|[^\s:/]{1,64}):(\d{1,5})/i.exec(s) ??
      /bind on address \('([^']{1,64})', (\d{1,5})(?:, \d+, \d+)?\)/.exec(s) ??
      /socket\(\) (\[[0-9a-fA-F:.]{1,45}\]|[\d.]{7,15}):(\d{1,5}) failed/.exec(s) ??
      /listen E[A-Z]{4,15}: [a-z ]{4,40} ([0-9a-fA-F:.]{0,45}):(\d{1,5})\b/.exec(s);
    return m ? { port: Number(m[2]), ip: m[1] ?? null, proto: 'tcp' } : null;
  },
  // nginx: bind() to 0.0.0.0:80 failed
  (s) => {
    const m = new RegExp(String.raw`bind\(\) to ${IP}:(\d+) failed`, 'i').exec(s);
    return m ? { port: Number(m[2]), ip: m[1] ?? null, proto: 'tcp' } : null;
  },
  // Java: Failed to listen on port 50000 ; gunicorn: Connection in use: ('0.0.0.0', 80) / Can't connect to ('0.0.0.0', 80)
  (s) => {
    const m = /Failed to listen on port (\d{1,5})/.exec(s);
    if (m) return { port: Number(m[1]) };
    const g = /(?:Can't connect to|Connection in use:) \('([^']{0,64})', (\d{1,5})\)/.exec(s);
    return g ? { port: Number(g[2]), ip: g[1] || null } : null;
  },
  // Go's address parse errors: listen tcp: address :::9315: too many colons in address
  (s) => {
    const m = /listen (tcp|udp)[46]?: address (\[?[0-9a-fA-F:.]{0,45}?\]?):(\d{1,5}): /i.exec(s);
    return m ? { port: Number(m[3]), ip: m[2] || null, proto: proto(m[1]) } : null;
  },
  // classic swarm: [port 80 (Bridge mode)] ; a Bind for … cut before its IP: ":8080 failed: port is already allocated"
  (s) => {
    const m = /\[port (\d{1,5}) \(/.exec(s) ?? /(?:^|\s):(\d{1,5}) failed: port is already allocated/.exec(s);
    return m ? { port: Number(m[1]) } : null;
  },
  // Java (ice4j and others): failure to bind to address /172.20.0.6 and port 10001
  (s) => {
    const m = /to address \/?([\d.]{7,15}) and port (\d{1,5})/.exec(s);
    return m ? { port: Number(m[2]), ip: m[1] ?? null } : null;
  },
  // OpenSSH: Bind to port 22 on 0.0.0.0 failed / on :: failed ; an application's check: Port 8080 not available
  (s) => {
    const m = /Bind to port (\d{1,5}) on ([0-9a-fA-F:.]{2,45}) failed/.exec(s);
    if (m) return { port: Number(m[1]), ip: m[2] ?? null };
    const a = /^Port (\d{1,5}) (?:is |was )?(?:not available|already in use)/i.exec(s);
    return a ? { port: Number(a[1]) } : null;
  },
  // postgres: could not bind IPv4 address "0.0.0.0" (an address without a port)
  (s) => {
    const m = /could not bind IPv[46] address "([0-9a-fA-F:.]{2,45})"/.exec(s);
    return m ? { port: null, ip: m[1] ?? null } : null;
  },
  // dockerd: Failed to allocate and map port 5000: Timed out … (a range's failing port is in its Bind for … above)
  (s) => {
    const m = /allocate and map port (\d{1,5}):/.exec(s);
    return m ? { port: Number(m[1]) } : null;
  },
  // last: the command line pasted with an error that names no port (podman pod create … -p 8080:8052);
  // its -p/--publish gives the host port, and only when it publishes one mapping (which one failed is unknown)
  (s) => {
    if ((s.match(/(?:^|\s)(?:-p|--publish)[ =]\S/g) ?? []).length !== 1) return null;
    const m =
      /(?:^|\s)(?:-p|--publish)[ =]((?:\d{1,3}(?:\.\d{1,3}){3}:)?)(\d{1,5}):\d{1,5}(?:\/(tcp|udp))?(?=\s|$)/.exec(s);
    return m ? { port: Number(m[2]), ip: m[1] ? m[1].slice(0, -1) : null, proto: proto(m[3]) } : null;
  },
];

export function extractSubject(text: string): ErrorSubject {
  let protoOnly: Proto | null = null;
  let ipOnly: string | null = null;
  for (const ex of EXTRACTORS) {
    const r = ex(text);
    if (r && r.port === null) {
      protoOnly ??= r.proto ?? null;
      ipOnly ??= r.ip ?? null;
    }
    if (!r || r.port === null || !Number.isInteger(r.port) || r.port < 0 || r.port > 65535) continue;
    const ip = r.ip ? normalizeIp(r.ip) : null;
    const rangeM = r.range ?? rangeFromLog(text, r.port);
    return {
      port: r.port,
      proto: r.proto ?? null,
      ip,
      family: r.family ?? (ip ? familyOf(ip) : null),
      range: rangeM,
    };
  }
  const ip = ipOnly ? normalizeIp(ipOnly) : null;
  return { proto: protoOnly, ip, port: null, family: ip ? familyOf(ip) : null, range: null };
}

/** dockerd log: "Failed to allocate and map port 8080-8082: Bind for 0.0.0.0:8081 failed" */
function rangeFromLog(text: string, port: number): ErrorSubject['range'] {
  const m = /map port (\d+)-(\d+)/.exec(text);
  if (!m) return null;
  const start = Number(m[1]);
  const end = Number(m[2]);
  return start !== end && port >= start && port <= end ? { start, end } : null;
}
