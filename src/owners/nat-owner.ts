// Who owns a DNAT rule. Pure: judged from a snapshot. A rule is an orphan only with proof: its target
// lies in a Docker network's subnet (reached through that network's bridge) and no container of any
// engine has it, or nothing could answer for it at all (no route). A rule in another manager's chain
// (Podman's CNI/netavark, kube-proxy, libvirt, firewalld), or whose target is reached through a
// non-Docker interface (a VM bridge, a VPN, the default gateway), belongs to someone else.
import type {
  Container,
  DnatRule,
  DockerNetwork,
  Evidence,
  ForeignContainer,
  NatOwnerKind,
  NatOwnerRecord,
  Routing,
  Snapshot,
} from '../model.js';
import { familyOf, prefixMatch } from '../util/ip.js';
import { lookupRoute, type RouteHit } from './route.js';

export interface NatOwnerContext {
  readonly product: 'docker' | 'podman';
  /** live (running/paused) containers of the engine the snapshot asked, by IP; null = not readable */
  readonly liveByIp: ReadonlyMap<string, Container> | null;
  readonly byId: ReadonlyMap<string, Container>;
  readonly networks: readonly DockerNetwork[] | null;
  readonly networksWhy: string;
  readonly routing: Routing | null;
  readonly routingWhy: string;
  readonly others: readonly ForeignContainer[] | null;
  readonly othersWhy: string;
}

export interface NatOwnerJudgement {
  readonly owner: NatOwnerRecord;
  /** the manager whose chain or table holds the rule, when its name says; null = a chain of no manager */
  readonly manager: NatOwnerKind | null;
  /** the live container of the asked engine this rule serves (it publishes the port): the rule is its own */
  readonly serves: Container | null;
  /** a live container of the asked engine that has the target IP but does not publish this port */
  readonly ipHolder: Container | null;
  /** proof that nothing answers for the target (owner.kind === 'orphan') */
  readonly proven: boolean;
  /** positive evidence that something else answers for the target (a live neighbour, a foreign route) */
  readonly answered: boolean;
  readonly evidence: readonly Evidence[];
}

const cache = new WeakMap<Snapshot, NatOwnerContext>();

/** What the owner check reads from a snapshot, computed once per snapshot. */
export function ownerContext(snap: Snapshot): NatOwnerContext {
  const hit = cache.get(snap);
  if (hit) return hit;
  const containers = snap.containers.ok ? snap.containers.value : [];
  const live = containers.filter((c) => c.state === 'running' || c.state === 'paused');
  const liveByIp = new Map<string, Container>();
  for (const c of live) for (const ip of c.ips) liveByIp.set(ip, c);
  const opt = <T>(f: Snapshot['routing'] | Snapshot['dockerNetworks'] | Snapshot['otherEngines'], what: string) =>
    !f || typeof f !== 'object'
      ? { v: null, why: `${what} were not collected` }
      : f.ok
        ? { v: f.value as T, why: '' }
        : { v: null, why: `${what}: ${f.error.message}` };
  const nets = opt<readonly DockerNetwork[]>(snap.dockerNetworks, "the engine's networks");
  const rt = opt<Routing>(snap.routing, 'routes and interfaces');
  const oth = opt<readonly ForeignContainer[]>(snap.otherEngines, "other engines' containers");
  const ctx: NatOwnerContext = {
    product: snap.engine.ok && snap.engine.value.product === 'podman' ? 'podman' : 'docker',
    liveByIp: snap.containers.ok ? liveByIp : null,
    byId: new Map(containers.map((c) => [c.id, c])),
    networks: Array.isArray(nets.v) ? nets.v : null,
    networksWhy: nets.why,
    routing: rt.v && Array.isArray(rt.v.routes) ? rt.v : null,
    routingWhy: rt.why,
    others: Array.isArray(oth.v) ? oth.v : null,
    othersWhy: oth.why,
  };
  cache.set(snap, ctx);
  return ctx;
}

/** CNI portmap: `dnat name: "podman" id: "<64 hex>"`; netavark: `dnat name: podman id: <64 hex>`. */
const PODMAN_COMMENT = /dnat name: "?([\w.-]+)"? id: "?([0-9a-f]{12,64})"?/;
const FIREWALLD_CHAIN = /^(PREROUTING|OUTPUT|POSTROUTING)_(direct|ZONES|ZONES_SOURCE)$|^(PRE|POST)_\w+$/;

/** The manager whose chain or table this is, by the names each one uses. */
export function chainManager(r: DnatRule): { kind: NatOwnerKind; why: string } | null {
  const t = r.table;
  const c = r.chain;
  const at = r.backend === 'nft' ? `nft table ${r.family} ${t}, chain ${c}` : `chain ${c}`;
  if (r.backend === 'nft' ? t === 'docker-bridges' : c === 'DOCKER' || c === 'DOCKER-INGRESS')
    return { kind: 'docker', why: `${at} is Docker's` };
  if (/^(CNI-|NETAVARK-)/.test(c) || t === 'netavark')
    return { kind: 'podman', why: `${at} is Podman's (${/^CNI-/.test(c) ? 'CNI portmap' : 'netavark'})` };
  if (/^KUBE-/.test(c) || t === 'kube-proxy') return { kind: 'kube-proxy', why: `${at} is kube-proxy's` };
  if (/^LIBVIRT_/.test(c) || /^libvirt/.test(t)) return { kind: 'libvirt', why: `${at} is libvirt's` };
  if (t === 'firewalld' || (r.backend !== 'nft' && FIREWALLD_CHAIN.test(c)))
    return { kind: 'firewalld', why: `${at} is firewalld's` };
  const named = [r.comment ?? '', ...(r.jumpComments ?? [])].find((x) => PODMAN_COMMENT.test(x));
  if (named) return { kind: 'podman', why: `its rule comment "${named}" is Podman's` };
  return null;
}

/** What an interface is by its name and link kind. */
export function interfaceOwner(
  name: string,
  kind: string | null,
  networks: readonly DockerNetwork[] | null,
): NatOwnerKind | 'docker-other' {
  if (networks?.some((n) => n.bridge === name)) return 'docker';
  if (name === 'docker0' || /^br-[0-9a-f]{12}$/.test(name)) return 'docker-other';
  if (/^virbr\d/.test(name)) return 'libvirt';
  if (/^(cni-podman|podman)\d/.test(name)) return 'podman';
  if (/^(cni0|flannel|cali|cilium|kube-|weave|vxlan\.calico)/.test(name)) return 'kube-proxy';
  if (kind === 'wireguard' || kind === 'tun' || /^(wg|tun|tap|ppp|tailscale|zt)/.test(name)) return 'vpn';
  return 'host';
}

const LIVE_NEIGH = new Set(['REACHABLE', 'DELAY', 'PROBE', 'PERMANENT', 'NOARP']);
const ownerNames: Record<NatOwnerKind, string> = {
  docker: 'Docker',
  podman: 'Podman',
  libvirt: 'libvirt',
  'kube-proxy': 'kube-proxy',
  firewalld: 'firewalld',
  vpn: 'a VPN',
  host: 'this host',
  orphan: 'nobody',
  unknown: 'unknown',
};

/** Human name of an owner: "Podman container web [0123456789ab]", "libvirt (virbr0)", "nobody". */
export function ownerLabel(o: NatOwnerRecord): string {
  const who = ownerNames[o.kind];
  const c = o.containerName ?? (o.containerId ? o.containerId.slice(0, 12) : null);
  if (c) return `${who} container ${c}${o.containerId && o.containerName ? ` [${o.containerId.slice(0, 12)}]` : ''}`;
  return o.iface && o.kind !== 'orphan' ? `${who} (${o.iface})` : who;
}

function rec(
  kind: NatOwnerKind,
  why: string,
  extra: { id?: string | null; name?: string | null; iface?: string | null } = {},
): NatOwnerRecord {
  return { kind, containerId: extra.id ?? null, containerName: extra.name ?? null, iface: extra.iface ?? null, why };
}

/** Does container `c` publish the port this rule forwards (and to the port it rewrites to)? */
export function publishesRule(c: Container, r: DnatRule): boolean {
  return c.published.some(
    (p) =>
      p.proto === r.proto &&
      p.hostPort >= r.dport &&
      p.hostPort <= r.dportEnd &&
      (r.toPort === null || p.containerPort === r.toPort),
  );
}

function isLoopback(ip: string): boolean {
  return familyOf(ip) === 4 ? prefixMatch(ip, '127.0.0.0/8') >= 0 : ip === '::1';
}

export function natOwner(r: DnatRule, ctx: NatOwnerContext): NatOwnerJudgement {
  const ev: Evidence[] = [];
  const fw: Evidence['fact'] =
    r.backend === 'nft' ? 'nft' : r.backend === 'iptables-nft' ? 'iptablesNft' : 'iptablesLegacy';
  const target = `${r.toIp}${r.toPort !== null ? `:${r.toPort}` : ''}`;
  const done = (
    owner: NatOwnerRecord,
    manager: NatOwnerKind | null,
    more: Partial<Pick<NatOwnerJudgement, 'serves' | 'ipHolder' | 'proven' | 'answered'>> = {},
  ): NatOwnerJudgement => ({
    owner,
    manager,
    serves: more.serves ?? null,
    ipHolder: more.ipHolder ?? null,
    proven: more.proven ?? false,
    answered: more.answered ?? (owner.kind !== 'unknown' && owner.kind !== 'orphan'),
    evidence: ev,
  });

  const holder = ctx.liveByIp?.get(r.toIp) ?? null;
  const mgr = chainManager(r);
  if (holder && publishesRule(holder, r) && (mgr === null || mgr.kind === ctx.product))
    return done(
      rec(ctx.product, `it forwards to container ${holder.name}, which publishes this port`, {
        id: holder.id,
        name: holder.name,
      }),
      mgr?.kind ?? null,
      { serves: holder },
    );

  if (mgr && mgr.kind !== 'docker') {
    ev.push({ fact: fw, says: mgr.why });
    let id: string | null = null;
    let name: string | null = null;
    if (mgr.kind === 'podman') {
      const m = [r.comment ?? '', ...(r.jumpComments ?? [])].map((x) => PODMAN_COMMENT.exec(x)).find(Boolean);
      id = m?.[2] ?? null;
      const byIp = ctx.others?.find((c) => c.ips.includes(r.toIp)) ?? null;
      const known =
        (id ? ctx.others?.find((c) => c.id.startsWith(id as string)) : null) ??
        byIp ??
        (ctx.product === 'podman' ? (holder ?? (id ? (ctx.byId.get(id) ?? null) : null)) : null);
      if (known) {
        id = known.id;
        name = known.name;
        ev.push({
          fact: 'otherEngines',
          says: `Podman container ${known.name} [${known.id.slice(0, 12)}] is ${known.state}`,
        });
      } else if (ctx.others === null) ev.push({ fact: 'otherEngines', says: ctx.othersWhy });
    }
    const hit = ctx.routing ? lookupRoute(r.toIp, ctx.routing) : null;
    return done(rec(mgr.kind, mgr.why, { id, name, iface: hit?.dev ?? null }), mgr.kind);
  }
  const manager = mgr?.kind ?? null;
  if (mgr) ev.push({ fact: fw, says: mgr.why });

  if (holder) {
    ev.push({ fact: 'containers', says: `${r.toIp} is container ${holder.name}, which does not publish ${r.dport}` });
    return manager === 'docker'
      ? done(
          rec('docker', `it is in Docker's chain and forwards to container ${holder.name}, which does not publish it`, {
            id: holder.id,
            name: holder.name,
          }),
          manager,
          { ipHolder: holder },
        )
      : done(
          rec('host', `a rule outside Docker's chains forwards to container ${holder.name}: someone added it by hand`, {
            id: holder.id,
            name: holder.name,
          }),
          manager,
          { ipHolder: holder },
        );
  }

  const hit: RouteHit | null = ctx.routing ? lookupRoute(r.toIp, ctx.routing) : null;
  if (isLoopback(r.toIp) || hit?.local) {
    const iface = hit?.dev ?? 'lo';
    ev.push({ fact: 'routing', says: `${r.toIp} is an address of this host (${iface})` });
    return done(rec('host', `it redirects to ${target}, an address of this host: a local service`, { iface }), manager);
  }

  const other = ctx.others?.find((c) => c.ips.includes(r.toIp));
  if (other) {
    ev.push({ fact: 'otherEngines', says: `${r.toIp} is Podman container ${other.name} (${other.state})` });
    return done(
      rec('podman', `its target is Podman container ${other.name}`, {
        id: other.id,
        name: other.name,
        iface: hit?.dev,
      }),
      manager,
    );
  }

  const net = ctx.networks?.find((n) => n.subnets.some((s) => prefixMatch(r.toIp, s) >= 0)) ?? null;
  const routeSays = (h: RouteHit): string =>
    h.dev
      ? `${r.toIp} is reached through ${h.dev}${h.gateway ? ` via ${h.gateway}` : ''} (route ${h.route})`
      : `no route to ${r.toIp}${h.route ? ` (route ${h.route} is ${h.type})` : ''}`;
  if (net) {
    const subnet = net.subnets.find((s) => prefixMatch(r.toIp, s) >= 0) as string;
    ev.push({
      fact: 'dockerNetworks',
      says: `${r.toIp} is in ${subnet}, Docker network ${net.name} (${net.bridge ?? net.driver})`,
    });
    if (hit?.dev && net.bridge && hit.dev !== net.bridge) {
      ev.push({ fact: 'routing', says: routeSays(hit) });
      const k = interfaceOwner(hit.dev, hit.kind, ctx.networks);
      return done(
        rec(k === 'docker-other' ? 'unknown' : k, `its target is reached through ${hit.dev}, not ${net.bridge}`, {
          iface: hit.dev,
        }),
        manager,
        { answered: k !== 'docker-other' },
      );
    }
    const neigh = liveNeighbour(r.toIp, ctx.routing);
    if (neigh) {
      ev.push({ fact: 'routing', says: neigh });
      return done(rec('unknown', `something answers for ${r.toIp}: ${neigh}`, { iface: hit?.dev }), manager, {
        answered: true,
      });
    }
    if (!ctx.liveByIp)
      return done(
        rec('docker', `${r.toIp} is in Docker network ${net.name}, but its containers could not be listed`, {
          iface: net.bridge,
        }),
        manager,
      );
    ev.push({ fact: 'containers', says: `no running container has ${r.toIp}` });
    if (hit) ev.push({ fact: 'routing', says: routeSays(hit) });
    ev.push({ fact: 'otherEngines', says: ctx.others ? `no Podman container has ${r.toIp}` : ctx.othersWhy });
    return done(
      rec('orphan', `${r.toIp} is in ${subnet} of Docker network ${net.name} and no container has it`, {
        iface: net.bridge,
      }),
      manager,
      { proven: true },
    );
  }

  if (hit) {
    ev.push({ fact: 'routing', says: routeSays(hit) });
    if (!hit.dev)
      return done(rec('orphan', `nothing could answer for ${r.toIp}: there is no route to it`), manager, {
        proven: true,
      });
    const k = interfaceOwner(hit.dev, hit.kind, ctx.networks);
    if (k === 'docker' || k === 'docker-other')
      return done(
        rec('unknown', `its target is behind ${hit.dev}, a Docker bridge, but in no subnet this daemon knows`, {
          iface: hit.dev,
        }),
        manager,
      );
    return done(
      rec(
        k,
        `its target is reached through ${hit.dev}${hit.gateway ? ` via ${hit.gateway}` : ''}, which is not Docker's`,
        { iface: hit.dev },
      ),
      manager,
    );
  }

  const missing = [
    ctx.liveByIp ? '' : 'containers',
    ctx.networks ? '' : ctx.networksWhy,
    ctx.routing ? '' : ctx.routingWhy,
  ]
    .filter(Boolean)
    .join('; ');
  ev.push({
    fact: 'routing',
    says: `cannot tell who answers for ${r.toIp}: ${missing || 'it is in no Docker subnet'}`,
  });
  return done(rec('unknown', `nothing says who answers for ${r.toIp} (${missing || 'in no Docker subnet'})`), manager);
}

function liveNeighbour(ip: string, routing: Routing | null): string | null {
  const n = routing?.neighbours.find((x) => x.ip === ip && x.state.some((s) => LIVE_NEIGH.has(s)));
  return n ? `neighbour ${ip} is ${n.state.join(',')}${n.lladdr ? ` at ${n.lladdr}` : ''} on ${n.dev}` : null;
}

export type NatClass = 'own' | 'orphan' | 'foreign' | 'unknown';

/**
 * own: the asked engine's rule for a live container. orphan: proven dead, or in Docker's own
 * chain/subnet with nothing answering (unproven ones are `likely` and only suggested). foreign:
 * another manager's, or something else answers. unknown: nothing says whose it is.
 */
export function natClass(j: NatOwnerJudgement): NatClass {
  if (j.serves) return 'own';
  if (j.proven || j.owner.kind === 'docker') return 'orphan';
  if (j.owner.kind === 'unknown') return j.answered ? 'foreign' : j.manager === 'docker' ? 'orphan' : 'unknown';
  return 'foreign';
}
