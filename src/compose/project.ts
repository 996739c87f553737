// Compose files → the project model Compose would run: files merged in -f order, `include`,
// `extends`, YAML anchors and `<<` merges, profiles, replicas/scale, network_mode, and variables
// resolved from the environment and .env. Every binding keeps its exact position. Pure: files come
// in through a loader.
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
  type YAMLMap,
} from 'yaml';
import { interpolate, InterpolationError } from './interpolate.js';
import { parseLongPort, parseShortPort, PortSyntaxError } from './ports.js';
import { schemaViolations } from './validate.js';
import type { ComposeBinding, ComposeProject, ComposeService, LintProblem, SourceRange } from './types.js';

export interface LoadedFile {
  readonly path: string;
  readonly text: string;
  /** the file's identity (its real path): two spellings of one file through symlinks are one file */
  readonly id?: string;
  /** why it was not read (not a regular file, too large, binary): its text is empty and never shown */
  readonly refused?: string;
}

export interface ProjectInput {
  readonly name: string;
  readonly files: readonly LoadedFile[];
  readonly vars: Readonly<Record<string, string | undefined>>;
  readonly profiles?: readonly string[];
  /** read another file (for include / extends.file); relative paths are resolved by the caller */
  readonly load?: (path: string, from: string) => LoadedFile | null;
}

interface Parsed {
  file: string;
  doc: Document;
  lc: LineCounter;
  text: string;
}

function pos(p: Parsed, range: readonly number[] | null | undefined): SourceRange {
  const [a = 0, b = a] = range ?? [];
  const s = p.lc.linePos(a);
  const e = p.lc.linePos(b);
  return { file: p.file, line: s.line, column: s.col, endLine: e.line, endColumn: e.col };
}

function problem(rule: string, at: SourceRange, message: string, data: LintProblem['data'] = {}): LintProblem {
  return { rule, severity: 'error', message, data, ...at };
}

/** a map's value for key, following `<<` merge keys and aliases */
function getIn(p: Parsed, map: unknown, key: string, seen = new Set<unknown>()): Node | null {
  let m = map;
  if (isAlias(m)) m = m.resolve(p.doc);
  if (!isMap(m) || seen.has(m)) return null;
  seen.add(m);
  const merges: unknown[] = [];
  for (const pair of (m as YAMLMap).items) {
    if (!isPair(pair)) continue;
    const k = isScalar(pair.key) ? pair.key.value : pair.key;
    if (k === key) {
      let v = pair.value as Node | null;
      if (isAlias(v)) v = v.resolve(p.doc) as Node | null;
      return v ?? null;
    }
    if (k === '<<' || (typeof k === 'symbol' && String(k).includes('<<'))) {
      const v = isAlias(pair.value) ? pair.value.resolve(p.doc) : pair.value;
      if (isSeq(v)) merges.push(...v.items.map((x) => (isAlias(x) ? x.resolve(p.doc) : x)));
      else merges.push(v);
    }
  }
  for (const src of merges) {
    const v = getIn(p, src, key, seen);
    if (v) return v;
  }
  return null;
}

/** the top-level keys of the Compose specification; `x-` extensions too */
const COMPOSE_TOP = new Set([
  'version',
  'name',
  'services',
  'networks',
  'volumes',
  'configs',
  'secrets',
  'include',
  'models',
]);

/** An included file counts as compose when its top level is a mapping of Compose keys only. */
function looksLikeCompose(doc: Document): boolean {
  const root = doc.contents;
  if (!isMap(root) || root.items.length === 0) return false;
  return root.items.every((it) => {
    const k = isPair(it) && isScalar(it.key) ? String(it.key.value) : null;
    return k !== null && (COMPOSE_TOP.has(k) || k.startsWith('x-') || k === '<<');
  });
}

export interface ProjectResult {
  readonly project: ComposeProject;
  readonly problems: LintProblem[];
  readonly parsed: ReadonlyMap<string, Parsed>;
  /** files found not to be compose files: their bytes are never shown (a code frame of /etc/shadow) */
  readonly hidden: ReadonlySet<string>;
}

export function buildProject(input: ProjectInput): ProjectResult {
  const problems: LintProblem[] = [];
  const parsed = new Map<string, Parsed>();
  /** files reached through include / extends.file, not named by the user: their bytes are shown only once they are compose */
  const reached = new Set<string>();
  const hidden = new Set<string>();
  const parse = (f: LoadedFile): Parsed | null => {
    if (parsed.has(f.path)) return parsed.get(f.path) ?? null;
    const lc = new LineCounter();
    // Compose refuses a mapping that repeats a key, so duplicates are parse errors here too
    const doc = parseDocument(f.text, { lineCounter: lc, merge: true, prettyErrors: true });
    const p: Parsed = { file: f.path, doc, lc, text: f.text };
    if (doc.errors.length) {
      const e = doc.errors[0]!;
      // a file someone else named (include: [/etc/shadow]) may be anything: say where, never what it says
      if (reached.has(f.path)) {
        problems.push(
          problem(
            'not-compose',
            { file: f.path, line: 1, column: 1, endLine: 1, endColumn: 1 },
            'not a Compose file: it is not valid YAML (its content is not shown)',
          ),
        );
        return null;
      }
      const lp = e.linePos?.[0] ?? { line: 1, col: 1 };
      const le = e.linePos?.[1] ?? lp;
      problems.push({
        rule: 'parse-error',
        severity: 'error',
        message: `not valid YAML: ${e.message.split('\n')[0]}`,
        data: {},
        file: f.path,
        line: lp.line,
        column: lp.col,
        endLine: le.line,
        endColumn: le.col,
      });
      return null;
    }
    if (reached.has(f.path) && !looksLikeCompose(doc)) {
      problems.push(
        problem(
          'not-compose',
          { file: f.path, line: 1, column: 1, endLine: 1, endColumn: 1 },
          'not a Compose file: its top level is not a mapping of Compose keys (services, networks, volumes, include …); its content is not shown',
        ),
      );
      return null;
    }
    parsed.set(f.path, p);
    for (const v of schemaViolations(doc))
      problems.push(
        problem(
          'invalid-compose',
          pos(p, v.node?.range ?? [0, 0]),
          `${v.path}: ${v.message} (docker compose refuses this file)`,
          { path: v.path },
        ),
      );
    return p;
  };

  const str = (p: Parsed, n: Node | null, what: string): string | null => {
    if (!n) return null;
    if (!isScalar(n)) return null;
    const raw = n.value;
    if (raw === null || raw === undefined) return null;
    try {
      const r = interpolate(String(raw), input.vars);
      for (const u of r.unknown)
        problems.push(
          problem(
            'unknown-variable',
            pos(p, n.range),
            `${what}: variable \${${u}} is not set in the environment or .env, and has no default (Compose would use an empty string)`,
            { variable: u },
          ),
        );
      return r.value;
    } catch (e) {
      if (e instanceof InterpolationError) {
        problems.push(problem('unknown-variable', pos(p, n.range), `${what}: ${e.message}`, { variable: e.variable }));
        return null;
      }
      throw e;
    }
  };

  // service name → its definition nodes, in merge order (later files override scalars, ports append)
  interface Def {
    p: Parsed;
    node: Node;
    keyRange: readonly number[] | null | undefined;
  }
  const defs = new Map<string, Def[]>();
  const files: string[] = [];
  const includedBy = new Map<string, LoadedFile>();
  const chainOf = (f: LoadedFile): string[] => {
    const out: string[] = [];
    for (let c: LoadedFile | undefined = f; c && out.length < 1000; c = includedBy.get(c.id ?? c.path))
      out.push(c.id ?? c.path);
    return out;
  };
  const queue = [...input.files];
  const seenFiles = new Set<string>();
  while (queue.length) {
    const f = queue.shift() as LoadedFile;
    if (seenFiles.has(f.id ?? f.path)) continue;
    seenFiles.add(f.id ?? f.path);
    const p = parse(f);
    if (!p) continue;
    files.push(f.path);
    const root = p.doc.contents;
    if (!isMap(root)) {
      // its bytes are no compose file: drop them so no code frame prints them (/proc/self/environ is one line)
      parsed.delete(f.path);
      hidden.add(f.path);
      problems.push(
        problem(
          'not-compose',
          reached.has(f.path)
            ? { file: f.path, line: 1, column: 1, endLine: 1, endColumn: 1 }
            : pos(p, (root as Node | null)?.range ?? [0, 0]),
          'not a Compose file: the top level is not a mapping with "services"',
        ),
      );
      continue;
    }
    const inc = getIn(p, root, 'include');
    if (isSeq(inc)) {
      for (const it of inc.items) {
        const path = isScalar(it)
          ? String(it.value)
          : isMap(it)
            ? String((getIn(p, it, 'path') as { value?: unknown } | null)?.value ?? '')
            : '';
        const loaded = path && input.load ? input.load(path, f.path) : null;
        if (loaded && !loaded.refused) {
          if (seenFiles.has(loaded.id ?? loaded.path) && !chainOf(f).includes(loaded.id ?? loaded.path)) {
            // a second include of a file already read (a diamond): read once, as before
          } else if (chainOf(f).includes(loaded.id ?? loaded.path))
            problems.push(
              problem(
                'include-cycle',
                pos(p, (it as Node).range),
                `include "${path}" is ${loaded.path}, which is already part of this project (an include cycle, through a symbolic link or a path back); remove one of them`,
              ),
            );
          else {
            reached.add(loaded.path);
            includedBy.set(loaded.id ?? loaded.path, f);
            queue.push(loaded);
          }
        } else
          problems.push(
            problem(
              'include-not-found',
              pos(p, (it as Node).range),
              `include "${path}" could not be read${loaded?.refused ? `: ${loaded.refused}` : ''}`,
            ),
          );
      }
    }
    const services = getIn(p, root, 'services');
    if (!services) {
      if (!inc) problems.push(problem('not-compose', pos(p, root.range), 'not a Compose file: no "services" key'));
      continue;
    }
    if (!isMap(services)) {
      problems.push(problem('not-compose', pos(p, services.range), '"services" must be a mapping of service names'));
      continue;
    }
    for (const pair of services.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const name = String(pair.key.value);
      let node = pair.value as Node | null;
      // a later file's `web: !reset null` removes the service, `web: !override {…}` replaces it whole
      // (docker compose config 2.40.3 does so; the oracle test has both)
      const tag = (node as { tag?: string } | null)?.tag;
      if (tag === '!reset') {
        defs.delete(name);
        continue;
      }
      if (tag === '!override') defs.set(name, []);
      if (isAlias(node)) node = node.resolve(p.doc) as Node | null;
      if (!node) continue;
      if (!defs.has(name)) defs.set(name, []);
      defs.get(name)?.push({ p, node, keyRange: pair.key.range });
    }
  }

  const collectPorts = (
    d: Def,
    service: string,
    hostNetwork: boolean,
    out: ComposeBinding[],
    seen: Set<string>,
  ): void => {
    const ports = getIn(d.p, d.node, 'ports');
    const expose = hostNetwork ? getIn(d.p, d.node, 'expose') : null;
    const items: Node[] = [
      ...(isSeq(ports) ? (ports.items as Node[]) : []),
      ...(isSeq(expose) ? (expose.items as Node[]) : []),
    ];
    for (let it of items) {
      if (isAlias(it)) it = it.resolve(d.p.doc) as Node;
      const at = pos(d.p, it.range);
      let parsedPort;
      let span: ComposeBinding['hostPortSpan'] = null;
      let raw = '';
      try {
        if (isScalar(it)) {
          const s = str(d.p, it, `service ${service} port`);
          if (s === null) continue;
          raw = s;
          parsedPort = parseShortPort(s);
          // literal host-port digits, for --fix: only when the source is exactly the interpolated text
          const src = d.p.text.slice(it.range?.[0] ?? 0, it.range?.[1] ?? 0);
          const q = src.startsWith('"') || src.startsWith("'") ? 1 : 0;
          if (parsedPort.hostPortIndex !== null && src.slice(q, q + s.length) === s)
            span = {
              offset: (it.range?.[0] ?? 0) + q + parsedPort.hostPortIndex,
              length: (parsedPort.hostPortText ?? '').length,
            };
        } else if (isMap(it)) {
          const o: Record<string, unknown> = {};
          for (const k of ['target', 'published', 'host_ip', 'protocol', 'mode']) {
            const v = getIn(d.p, it, k);
            if (v) o[k] = str(d.p, v, `service ${service} ports.${k}`);
          }
          raw = JSON.stringify(o);
          parsedPort = parseLongPort(o);
          const pubNode = getIn(d.p, it, 'published');
          if (pubNode && isScalar(pubNode) && String(pubNode.value) === parsedPort.hostPortText) {
            const src = d.p.text.slice(pubNode.range?.[0] ?? 0, pubNode.range?.[1] ?? 0);
            const q = src.startsWith('"') || src.startsWith("'") ? 1 : 0;
            span = { offset: (pubNode.range?.[0] ?? 0) + q, length: (parsedPort.hostPortText ?? '').length };
          }
        } else continue;
      } catch (e) {
        if (e instanceof PortSyntaxError) {
          problems.push(problem('invalid-port', at, `service ${service}: ${e.message}`));
          continue;
        }
        throw e;
      }
      // in host mode a container port is a host port, bound by the app itself on every address
      const b: ComposeBinding = hostNetwork
        ? {
            project: input.name,
            service,
            file: d.p.file,
            proto: parsedPort.proto,
            hostIp: null,
            hostPort: parsedPort.containerPort,
            containerPort: parsedPort.containerPort,
            at,
            hostPortSpan: null,
            hostNetwork: true,
            raw,
          }
        : {
            project: input.name,
            service,
            file: d.p.file,
            proto: parsedPort.proto,
            hostIp: parsedPort.hostIp,
            hostPort: parsedPort.hostPort,
            containerPort: parsedPort.containerPort,
            at,
            hostPortSpan: span,
            hostNetwork: false,
            raw,
          };
      const key = `${b.proto} ${b.hostIp} ${JSON.stringify(b.hostPort)} ${JSON.stringify(b.containerPort)}`;
      if (seen.has(key)) continue; // an override repeating the same mapping: Compose keeps one
      seen.add(key);
      out.push(b);
    }
  };

  const services: ComposeService[] = [];
  const enabled = new Set(input.profiles ?? []);
  const cycleReported = new Set<string>();
  // `stack` is the chain of services being resolved: meeting one of them again is an extends cycle,
  // which Compose refuses; without the check a cycle through several files grew the chain N^depth
  const resolved = new Map<string, Def[]>();
  const resolveDefs = (name: string, stack: readonly string[] = []): Def[] => {
    const known = resolved.get(name);
    if (known) return known;
    const own = defs.get(name) ?? [];
    const out: Def[] = [];
    for (const d of own) {
      const ext = getIn(d.p, d.node, 'extends');
      if (ext) {
        const base = isScalar(ext)
          ? String(ext.value)
          : String((getIn(d.p, ext, 'service') as { value?: unknown } | null)?.value ?? '');
        const file = isMap(ext) ? (getIn(d.p, ext, 'file') as { value?: unknown } | null)?.value : undefined;
        if (file && input.load) {
          const lf = input.load(String(file), d.p.file);
          if (lf && !lf.refused) reached.add(lf.path);
          const bp = lf && !lf.refused ? parse(lf) : null;
          const bs = bp ? getIn(bp, getIn(bp, bp.doc.contents, 'services'), base) : null;
          if (bp && bs) out.push({ p: bp, node: bs, keyRange: bs.range });
          else
            problems.push(
              problem(
                'extends-not-found',
                pos(d.p, ext.range),
                `extends: service "${base}" in ${String(file)} could not be read${lf?.refused ? `: ${lf.refused}` : ''}`,
              ),
            );
        } else if (base === name || stack.includes(base)) {
          const cycle = [...stack.slice(stack.indexOf(base) >= 0 ? stack.indexOf(base) : stack.length), name, base];
          const key = `${d.p.file}:${ext.range?.[0] ?? 0}`;
          if (!cycleReported.has(key)) {
            cycleReported.add(key);
            problems.push(
              problem(
                'extends-cycle',
                pos(d.p, ext.range),
                `extends: service "${name}" extends itself through ${cycle.join(' → ')}; docker compose refuses a cycle: remove one of these extends`,
              ),
            );
          }
        } else if (defs.has(base)) out.push(...resolveDefs(base, [...stack, name]));
        else problems.push(problem('extends-not-found', pos(d.p, ext.range), `extends: no service "${base}"`));
      }
      out.push(d);
    }
    // one chain per service: N files each repeating an extends no longer multiply
    resolved.set(name, out);
    return out;
  };
  for (const name of defs.keys()) {
    const chain = resolveDefs(name);
    const last = (defs.get(name) ?? [])[0]!;
    const scalar = (key: string): { v: string | null; node: Node | null; d: Def | null } => {
      for (const d of [...chain].reverse()) {
        const n = getIn(d.p, d.node, key);
        if (n) return { v: str(d.p, n, `service ${name} ${key}`), node: n, d };
      }
      return { v: null, node: null, d: null };
    };
    let profiles: string[] = [];
    for (const d of chain) {
      const pn = getIn(d.p, d.node, 'profiles');
      if (isSeq(pn)) profiles = pn.items.map((x) => (isScalar(x) ? String(x.value) : '')).filter(Boolean);
    }
    if (profiles.length && !profiles.some((p) => enabled.has(p))) continue;
    const nm = scalar('network_mode');
    const scale = scalar('scale');
    let replicas = scale.v !== null ? Number(scale.v) : 1;
    let replicasAt = scale.node && scale.d ? pos(scale.d.p, scale.node.range) : null;
    for (const d of [...chain].reverse()) {
      const dep = getIn(d.p, d.node, 'deploy');
      const r = dep ? getIn(d.p, dep, 'replicas') : null;
      if (r) {
        const v = str(d.p, r, `service ${name} deploy.replicas`);
        if (v !== null) {
          replicas = Number(v);
          replicasAt = pos(d.p, r.range);
        }
        break;
      }
    }
    const hostNetwork = nm.v === 'host';
    const bindings: ComposeBinding[] = [];
    const seen = new Set<string>();
    for (const d of chain) {
      // an override file's `ports: !reset []` drops the ports merged so far, `!override` replaces them
      const tag = (getIn(d.p, d.node, 'ports') as { tag?: string } | null)?.tag;
      if (tag === '!reset' || tag === '!override') {
        bindings.length = 0;
        seen.clear();
        if (tag === '!reset') continue;
      }
      collectPorts(d, name, hostNetwork, bindings, seen);
    }
    if (!chain.some((d) => getIn(d.p, d.node, 'image') || getIn(d.p, d.node, 'build')))
      problems.push(
        problem(
          'invalid-compose',
          pos(last.p, last.keyRange),
          `service "${name}" has neither an image nor a build context (docker compose refuses this file)`,
        ),
      );
    services.push({
      project: input.name,
      name,
      file: last.p.file,
      at: pos(last.p, last.keyRange),
      replicas: Number.isFinite(replicas) ? replicas : 1,
      replicasAt,
      networkMode: nm.v,
      image: scalar('image').v,
      profiles,
      bindings,
    });
    if (hostNetwork) {
      for (const d of chain) {
        const pn = getIn(d.p, d.node, 'ports');
        if (isSeq(pn) && pn.items.length)
          problems.push({
            ...problem(
              'ports-ignored-in-host-network',
              pos(d.p, pn.range),
              `service ${name} uses network_mode: host, so its "ports:" are ignored: the app binds ${bindings
                .map((b) => (b.hostPort === 'ephemeral' ? '' : `${b.hostPort.start}`))
                .filter(Boolean)
                .join(', ')} on the host directly`,
            ),
            severity: 'warning',
          });
      }
    }
  }
  return { project: { name: input.name, files, services }, problems, parsed, hidden };
}
