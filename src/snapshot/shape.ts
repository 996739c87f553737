// The shape of a snapshot file read with --from: every field a rule reads, checked before any rule
// sees it, so a wrong-shaped file is refused with the field that is wrong instead of failing inside a
// rule ("procs.map is not a function"). Hand-written: the checks are few, and a JSON Schema kept
// beside model.ts would drift from it. Pure.

/** null when `v` fits; else what is wrong, starting with the path of the field */
type Check = (v: unknown, at: string) => string | null;

const show = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};
const want =
  (what: string, ok: (v: unknown) => boolean): Check =>
  (v, at) =>
    ok(v) ? null : `${at} is ${show(v)}, expected ${what}`;

const str = want('a string', (v) => typeof v === 'string');
const num = want('a number', (v) => typeof v === 'number' && Number.isFinite(v));
const bool = want('true or false', (v) => typeof v === 'boolean');
const port = want(
  'a port number (0-65535)',
  (v) => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 65535,
);
const oneOf = (...xs: readonly unknown[]): Check =>
  want(xs.map((x) => JSON.stringify(x)).join(' or '), (v) => xs.includes(v));
const nullable =
  (c: Check): Check =>
  (v, at) =>
    v === null || v === undefined ? null : c(v, at);
const optional = nullable;
const list =
  (c: Check): Check =>
  (v, at) => {
    if (!Array.isArray(v)) return `${at} is ${show(v)}, expected a list`;
    for (let i = 0; i < v.length; i++) {
      const e = c(v[i], `${at}[${i}]`);
      if (e) return e;
    }
    return null;
  };
const obj =
  (fields: Readonly<Record<string, Check>>): Check =>
  (v, at) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return `${at} is ${show(v)}, expected an object`;
    for (const [k, c] of Object.entries(fields)) {
      const e = c((v as Record<string, unknown>)[k], `${at}.${k}`);
      if (e) return e;
    }
    return null;
  };
const strs = list(str);
const proto = oneOf('tcp', 'udp');

const socket = obj({
  proto,
  family: oneOf(4, 6),
  ip: str,
  port,
  v6only: nullable(bool),
  state: str,
  inode: num,
  uid: num,
  pids: list(num),
});
const proc = obj({
  pid: num,
  ppid: num,
  comm: str,
  argv: strs,
  uid: nullable(num),
  containerId: nullable(str),
  cgroup: str,
  netns: nullable(str),
  unit: nullable(str),
  exe: optional(str),
});
const binding = obj({ proto, hostIp: str, hostPort: port, containerPort: port });
const container = obj({
  id: str,
  name: str,
  state: str,
  status: str,
  image: str,
  networkMode: str,
  ips: strs,
  networks: optional(list(obj({ name: str, id: str, ip: str, prefixLen: num, gateway: str }))),
  published: list(binding),
  configured: nullable(list(binding)),
  restartPolicy: nullable(str),
  composeProject: nullable(str),
  composeService: nullable(str),
  composeWorkingDir: nullable(str),
});
const dnat = obj({
  backend: str,
  family: oneOf('ip', 'ip6'),
  table: str,
  chain: str,
  proto,
  dport: port,
  dportEnd: port,
  daddr: nullable(str),
  toIp: str,
  toPort: nullable(port),
  text: str,
  spec: nullable(strs),
  handle: nullable(num),
  position: num,
  comment: nullable(str),
  jumpComments: optional(strs),
});
const rule = obj({ matches: list(obj({ k: str })), verdict: obj({ k: str }), text: str, position: num });
const firewall = obj({
  backend: str,
  dnat: list(dnat),
  rulesets: optional(
    list(obj({ backend: str, family: str, name: str, chains: list(obj({ name: str, rules: list(rule) })) })),
  ),
  tables: strs,
  incompatible: strs,
  hasDockerChain: bool,
  warnings: strs,
});
const host = obj({
  kernel: str,
  uid: num,
  hostNetns: nullable(str),
  sysctl: obj({}),
  legacyTables: obj({ ip: strs, ip6: strs }),
  localAddrs: optional(strs),
});
const engine = obj({
  version: str,
  apiVersion: str,
  rootless: bool,
  securityOptions: strs,
  dockerdPids: list(num),
  liveRestore: bool,
  userlandProxy: bool,
});
const probe = obj({
  engine: str,
  binder: str,
  binds: list(obj({ proto, ip: str, port, outcome: str })),
  skipped: list(obj({ proto, ip: str, port })),
  portSockets: list(socket),
  looked: strs,
});

const VALUES: Readonly<Record<string, Check>> = {
  host,
  sockets: list(socket),
  processes: list(proc),
  engine,
  containers: list(container),
  iptablesNft: firewall,
  iptablesLegacy: firewall,
  nft: firewall,
  probe,
};
const OPTIONAL_FACTS = ['routing', 'dockerNetworks', 'otherEngines', 'engineBinaries'];

const factError = obj({ error: obj({ code: str, message: str }) });

/** The first field of a parsed snapshot that is not as portdoctor wrote it, or null. */
export function snapshotShapeError(s: Record<string, unknown>): string | null {
  const scope = obj({ ports: nullable(list(port)) })(s.scope ?? { ports: null }, 'scope');
  if (scope) return scope;
  for (const [k, value] of Object.entries(VALUES)) {
    const f = s[k] as { ok?: unknown; value?: unknown } | null | undefined;
    if (!f || typeof f !== 'object' || typeof f.ok !== 'boolean') return `fact "${k}" is missing or malformed`;
    const e = f.ok ? value(f.value, `${k}.value`) : factError(f, k);
    if (e) return e;
  }
  for (const k of OPTIONAL_FACTS) {
    const f = s[k] as { ok?: unknown; value?: unknown } | undefined;
    if (f === undefined) continue;
    if (!f || typeof f !== 'object' || typeof f.ok !== 'boolean') return `fact "${k}" is malformed`;
    if (f.ok && (f.value === null || typeof f.value !== 'object'))
      return `${k}.value is ${show(f.value)}, expected an object or a list`;
    if (!f.ok) {
      const e = factError(f, k);
      if (e) return e;
    }
  }
  return null;
}
