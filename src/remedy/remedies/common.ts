// Plan pieces shared by several causes' remedies. Pure; nothing here runs.
import type { Finding, Holder, Plan, Precondition, Proto, Snapshot, Step } from '../../model.js';
import type { RemedyContext } from './types.js';

export type HolderOf<K extends Holder['kind']> = Extract<Holder, { kind: K }>;
export const holderOf = <K extends Holder['kind']>(f: Finding, kind: K): HolderOf<K> | undefined =>
  f.holders.find((h): h is HolderOf<K> => h.kind === kind);

export function composeStop(c: { composeProject: string | null; composeService: string | null }): string[] | null {
  return c.composeProject && c.composeService
    ? ['docker', 'compose', '-p', c.composeProject, 'stop', c.composeService]
    : null;
}

/**
 * The host IPs on which something already takes PORT/PROTO: sockets, running containers' bindings, DNAT rules
 * ('*' for a rule that matches any address). null when a fact that could show one was not read: then no IP
 * can be proven free.
 */
// one answer per snapshot and port: remedies ask it once per holder, and 300,000 holders made it quadratic
const takenCache = new WeakMap<Snapshot, Map<string, Set<string> | null>>();

function takenIps(snap: Snapshot, proto: Proto, port: number): Set<string> | null {
  let bySnap = takenCache.get(snap);
  if (!bySnap) takenCache.set(snap, (bySnap = new Map()));
  const key = `${proto}/${port}`;
  if (!bySnap.has(key)) bySnap.set(key, computeTakenIps(snap, proto, port));
  return bySnap.get(key) ?? null;
}

function computeTakenIps(snap: Snapshot, proto: Proto, port: number): Set<string> | null {
  const views = [snap.iptablesNft, snap.iptablesLegacy, snap.nft];
  if (!snap.sockets.ok || !snap.containers.ok || views.every((v) => !v.ok)) return null;
  const out = new Set<string>();
  for (const s of snap.sockets.value) if (s.proto === proto && s.port === port) out.add(s.ip);
  for (const c of snap.containers.value)
    if (c.state === 'running' || c.state === 'paused' || c.state === 'restarting')
      for (const b of c.published) if (b.proto === proto && b.hostPort === port) out.add(b.hostIp || '0.0.0.0');
  for (const v of views)
    if (v.ok)
      for (const r of v.value.dnat)
        if (r.proto === proto && r.dport <= port && port <= r.dportEnd) out.add(r.daddr ?? '*');
  return out;
}

/**
 * Ways around the holder, each proven against the snapshot: another host port only when one was checked
 * free (ctx.freePort), the loopback address only when nothing takes the port on 127.0.0.1, a wildcard or
 * any address. A pasted suggestion that fails again costs the user's trust in every other one.
 * [] when neither is proven.
 */
export function moveAside(f: Finding, { diagnosis: d, snap, freePort }: RemedyContext): Plan[] {
  const { proto, port, ip } = d.subject;
  const suffix = proto === 'udp' ? '/udp' : '';
  const steps: Step[] = [];
  if (freePort !== null) {
    const at = ip && ip !== '0.0.0.0' && ip !== '::' ? `${ip.includes(':') ? `[${ip}]` : ip}:` : '';
    steps.push({
      argv: ['docker', 'run', '-p', `${at}${freePort}:CONTAINER_PORT${suffix}`, 'IMAGE'],
      why: `nothing holds ${freePort}/${proto} here: another host port avoids the holder entirely`,
    });
  }
  const taken = takenIps(snap, proto, port);
  const wildcardAsked = !ip || ip === '0.0.0.0' || ip === '::';
  if (wildcardAsked && taken && !['127.0.0.1', '0.0.0.0', '::', '*'].some((a) => taken.has(a)))
    steps.push({
      argv: ['docker', 'run', '-p', `127.0.0.1:${port}:CONTAINER_PORT${suffix}`, 'IMAGE'],
      why: `loopback only, when only this host needs it: nothing holds 127.0.0.1:${port}/${proto} or a wildcard`,
    });
  if (!steps.length) return [];
  return [
    {
      remedy: 'publish-elsewhere',
      safety: 'suggest',
      title:
        freePort !== null
          ? `Publish the new container on another host port (${freePort} is free)${steps.length > 1 ? ' or on the loopback address' : ''}`
          : 'Publish the new container on the loopback address only',
      disrupts: [],
      warnings: [],
      preconditions: [],
      steps,
      rule: f.rule,
    },
  ];
}

export function deleteRulePlan(f: Finding, h: HolderOf<'rule'>, snap: Snapshot, dport: number): Plan | null {
  const fam = h.family;
  let argv: string[];
  let undo: string[] | undefined;
  let spec: readonly string[] | null = null;
  if (h.backend === 'nft') {
    if (h.handle === null) return null;
    argv = ['nft', 'delete', 'rule', fam, h.table, h.chain, 'handle', String(h.handle)];
    // nft parses its argv joined by spaces: the listed rule text re-adds it (with a new handle, at the end)
    if (!/^xt /.test(h.rule)) undo = ['nft', 'add', 'rule', fam, h.table, h.chain, h.rule];
  } else {
    // delete by full spec, never by a line number that may have shifted
    const views = [snap.iptablesNft, snap.iptablesLegacy].flatMap((v) => (v.ok ? v.value.dnat : []));
    const r = views.find((x) => x.backend === h.backend && x.text === h.rule);
    if (!r?.spec) return null;
    const bin = iptablesBin(fam, h.backend);
    argv = [bin, '-w', '-t', h.table, '-D', h.chain, ...r.spec];
    undo = [bin, '-w', '-t', h.table, '-A', h.chain, ...r.spec];
    spec = r.spec;
  }
  const rule = {
    backend: h.backend,
    family: fam,
    table: h.table,
    chain: h.chain,
    spec,
    handle: h.handle,
    toIp: h.toIp,
    dport,
  };
  const pre: Precondition[] = [
    { kind: 'dnat-present', ...rule },
    { kind: 'ip-not-live', ip: h.toIp },
    // proven again on a fresh look right before the delete: routes, networks, every engine's containers
    { kind: 'dnat-orphan', ...rule },
  ];
  // unattended only when the owner check (src/owners/nat-owner.ts) proved it an orphan
  const proven = f.data.proven === true;
  return {
    remedy: 'delete-orphan-dnat',
    safety: proven ? 'fix' : 'suggest',
    title: `Delete the orphan DNAT rule (${h.backend} ${h.family} ${h.table} ${h.chain}${h.handle !== null ? ` handle ${h.handle}` : ''})`,
    disrupts: [],
    warnings: [
      'undo (`portdoctor fix --undo`) re-adds the rule at the end of its chain, not at its old position',
      ...(proven
        ? []
        : [`not proven an orphan (${h.owner?.why ?? 'no owner check'}): check what it forwards to first`]),
    ],
    preconditions: pre,
    steps: [
      { argv, why: `it sends ${dport} to ${h.toIp}, which no live container answers for`, ...(undo ? { undo } : {}) },
    ],
    rule: f.rule,
  };
}

export function restartDockerd(f: Finding, { snap, live }: RemedyContext): Plan {
  const lr = snap.engine.ok && snap.engine.value.liveRestore;
  return {
    remedy: 'restart-dockerd',
    safety: 'suggest',
    title: 'Restart dockerd so it rebuilds its NAT chains from its own state',
    disrupts: lr ? [] : live.map((c) => `container ${c.name}`),
    warnings: [
      lr
        ? 'live-restore is enabled: containers keep running across the restart'
        : `live-restore is NOT enabled: all ${live.length} running container(s) stop and restart-policy ones come back`,
    ],
    preconditions: [],
    steps: [
      {
        argv: ['systemctl', 'restart', 'docker'],
        why: 'dockerd re-creates its chains at start; rules it did not write stay, so check again afterwards',
      },
    ],
    rule: f.rule,
  };
}

/** The iptables binary that edits the rules of that backend: never bare `iptables`, whose alternative may
 * point at the other backend (a pasted command would then edit tables nobody reads). */
export function iptablesBin(family: string, backend: unknown): string {
  return `${family === 'ip6' ? 'ip6tables' : 'iptables'}-${backend === 'iptables-legacy' ? 'legacy' : 'nft'}`;
}
