// Who owns a DNAT rule, and who is a docker-proxy (issue 11, problem 3; red-team RT-02, RT-16).
// Snapshots: the red-team's own (test/fixtures/owners/, copied from its reproductions), a real
// Podman 4.3 CNI nat table recorded here, and the kube-proxy shape of RT-02.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseIpAddr, parseIpNeigh, parseIpRoute } from '../../src/collect/parse/ip-json.js';
import { parseIptablesSave } from '../../src/collect/parse/iptables-save.js';
import { diagnose, exitCodeOf } from '../../src/diagnose.js';
import type { Holder, Routing, Snapshot } from '../../src/model.js';
import { chainManager, natClass, natOwner, ownerContext } from '../../src/owners/nat-owner.js';
import { lookupRoute } from '../../src/owners/route.js';
import { planRemedies } from '../../src/remedy/plan.js';
import { checkPrecondition } from '../../src/remedy/preconditions.js';
import { parseSnapshot } from '../../src/snapshot/io.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';
import { container, emptyView, proc, snapshot, sock } from '../helpers/snapshot-builder.js';

const FIX = (f: string): string => fileURLToPath(new URL(`../fixtures/owners/${f}`, import.meta.url));
const load = (f: string): Snapshot => parseSnapshot(readFileSync(FIX(f), 'utf8'), f);
const ruleOf = (d: ReturnType<typeof diagnose>): Extract<Holder, { kind: 'rule' }> | undefined =>
  d.holders.find((h): h is Extract<Holder, { kind: 'rule' }> => h.kind === 'rule');

/** this host's interfaces and routes in `ip -j` form, plus what a test adds */
function routing(extra: { links?: string; routes4?: string; neigh?: string } = {}): Routing {
  const links = `[{"ifname":"lo","flags":["LOOPBACK","UP"],"addr_info":[{"family":"inet","local":"127.0.0.1","prefixlen":8}]},
    {"ifname":"eth0","flags":["UP"],"addr_info":[{"family":"inet","local":"192.0.2.2","prefixlen":24}]},
    {"ifname":"docker0","flags":["UP"],"linkinfo":{"info_kind":"bridge"},"addr_info":[{"family":"inet","local":"172.17.0.1","prefixlen":16}]}${extra.links ?? ''}]`;
  const routes = `[{"dst":"default","gateway":"192.0.2.1","dev":"eth0","flags":[]},
    {"dst":"172.17.0.0/16","dev":"docker0","protocol":"kernel","scope":"link","prefsrc":"172.17.0.1","flags":["linkdown"]},
    {"dst":"192.0.2.0/24","dev":"eth0","protocol":"kernel","scope":"link","prefsrc":"192.0.2.2","flags":[]}${extra.routes4 ?? ''}]`;
  return {
    interfaces: parseIpAddr(links),
    routes: parseIpRoute(routes, 4),
    neighbours: parseIpNeigh(`[${extra.neigh ?? ''}]`),
  };
}

const withRouting = (s: Snapshot, r: Routing): Snapshot => ({ ...s, routing: { ok: true, value: r, source: 'test' } });

describe('route lookup and interface owners', () => {
  it('longest prefix wins; local addresses, dead routes and no route are told apart', () => {
    const r = routing({
      routes4: `,{"dst":"10.9.0.0/16","dev":"wg0","flags":[]},{"dst":"10.9.1.0/24","type":"unreachable","flags":[]},{"dst":"10.7.7.7","dev":"virbr0","flags":[]}`,
    });
    expect(lookupRoute('172.17.0.250', r)).toMatchObject({ route: '172.17.0.0/16', dev: 'docker0', local: false });
    expect(lookupRoute('10.9.2.1', r)).toMatchObject({ dev: 'wg0' });
    expect(lookupRoute('10.9.1.5', r)).toMatchObject({ dev: null, type: 'unreachable' });
    expect(lookupRoute('10.7.7.7', r)).toMatchObject({ route: '10.7.7.7/32', dev: 'virbr0' });
    expect(lookupRoute('203.0.113.9', r)).toMatchObject({ route: 'default', dev: 'eth0', gateway: '192.0.2.1' });
    expect(lookupRoute('192.0.2.2', r)).toMatchObject({ local: true, dev: 'eth0' });
    const noDefault: Routing = { ...r, routes: r.routes.filter((x) => x.dst !== 'default') };
    expect(lookupRoute('203.0.113.9', noDefault)).toMatchObject({ route: null, dev: null, type: 'none' });
  });
});

describe('RT-02: a KVM guest port forward is never an orphan', () => {
  it('the red-team snapshot (no routes recorded): not orphan-dnat, owner unknown, nothing safe to run', () => {
    const snap = load('vm-forward.json');
    const d = diagnose(snap, { proto: 'tcp', ip: null, port: 2222 });
    expect(d.verdict.cause).toBe('unknown');
    expect(d.findings.map((f) => f.cause)).not.toContain('orphan-dnat');
    expect(ruleOf(d)?.owner?.kind).toBe('unknown');
    expect(exitCodeOf(d)).toBe(3);
    const plans = planRemedies(d, snap);
    expect(plans.length).toBeGreaterThan(0);
    expect(plans.filter((p) => p.safety === 'fix')).toEqual([]);
  });
  it('with the route to the guest through virbr0: foreign-dnat, owner libvirt (virbr0), suggestions only', () => {
    const snap = withRouting(
      load('vm-forward.json'),
      routing({
        links: `,{"ifname":"virbr0","flags":["UP"],"linkinfo":{"info_kind":"bridge"},"addr_info":[{"family":"inet","local":"192.168.122.1","prefixlen":24}]}`,
        routes4: `,{"dst":"192.168.122.0/24","dev":"virbr0","protocol":"kernel","scope":"link","flags":[]}`,
      }),
    );
    const d = diagnose(snap, { proto: 'tcp', ip: null, port: 2222 });
    expect(d.verdict).toMatchObject({ cause: 'foreign-dnat', confidence: 'certain' });
    expect(d.findings[0]).toMatchObject({ rule: 'foreign-dnat', messageId: 'willTakeTraffic' });
    expect(d.findings[0]?.data).toMatchObject({ owner: 'libvirt (virbr0)', ownerKind: 'libvirt', iface: 'virbr0' });
    expect(ruleOf(d)?.owner).toMatchObject({ kind: 'libvirt', iface: 'virbr0' });
    const plans = planRemedies(d, snap);
    expect(plans[0]).toMatchObject({ remedy: 'ask-rule-owner', safety: 'suggest' });
    expect(plans.map((p) => p.safety)).not.toContain('fix');
    expect(plans.map((p) => p.remedy)).toContain('delete-foreign-dnat');
  });
  it('a guest behind a bridge of no known manager (the live test shape) is the host interface', () => {
    const snap = withRouting(
      load('vm-forward.json'),
      routing({ routes4: `,{"dst":"192.168.122.0/24","dev":"pdtest-br0","flags":[]}` }),
    );
    const d = diagnose(snap, { proto: 'tcp', ip: null, port: 2222 });
    expect(d.verdict.cause).toBe('foreign-dnat');
    expect(ruleOf(d)?.owner).toMatchObject({ kind: 'host', iface: 'pdtest-br0' });
  });
  it('the same rule reached only through the default gateway is another machine, not an orphan', () => {
    const d = diagnose(withRouting(load('vm-forward.json'), routing()), { proto: 'tcp', ip: null, port: 2222 });
    expect(d.verdict.cause).toBe('foreign-dnat');
    expect(ruleOf(d)?.owner).toMatchObject({ kind: 'host', iface: 'eth0' });
  });
  it('with no route at all to its target (nothing could answer), it is a proven orphan', () => {
    const r = routing();
    const snap = withRouting(load('vm-forward.json'), { ...r, routes: r.routes.filter((x) => x.dst !== 'default') });
    const d = diagnose(snap, { proto: 'tcp', ip: null, port: 2222 });
    expect(d.verdict).toMatchObject({ cause: 'orphan-dnat', confidence: 'certain' });
    expect(planRemedies(d, snap)[0]).toMatchObject({ remedy: 'delete-orphan-dnat', safety: 'fix' });
  });
});

describe('RT-02: kube-proxy, Podman, firewalld, VPN chains and targets', () => {
  const kube = parseIptablesSave(
    [
      '# the RT-02 shape: kube-proxy endpoint chain KUBE-SEP-ABC -> 10.244.0.7:8080',
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      ':KUBE-SERVICES - [0:0]',
      ':KUBE-SEP-ABC - [0:0]',
      '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-A KUBE-SERVICES -j KUBE-SEP-ABC',
      '-A KUBE-SEP-ABC -p tcp -m comment --comment "default/web" -m tcp --dport 8080 -j DNAT --to-destination 10.244.0.7:8080',
      'COMMIT',
    ].join('\n'),
    'iptables-nft',
    'ip',
  );
  it("a KUBE-SEP rule is kube-proxy's even when nothing else is known: foreign, never fixed", () => {
    const snap = snapshot({ iptablesNft: kube, dockerNetworks: null });
    const d = diagnose(snap, { proto: 'tcp', ip: null, port: 8080 });
    expect(d.verdict.cause).toBe('foreign-dnat');
    expect(ruleOf(d)?.owner).toMatchObject({ kind: 'kube-proxy' });
    const plans = planRemedies(d, snap);
    expect(plans[0]?.steps[0]?.argv.slice(0, 2)).toEqual(['kubectl', 'get']);
    expect(plans.map((p) => p.safety)).not.toContain('fix');
  });
  it("Podman's CNI chain (recorded from Podman 4.3.1): owner named from the jump rule's comment and podman ps", () => {
    const view = parseIptablesSave(readFileSync(FIX('podman-cni-nat.txt'), 'utf8'), 'iptables-nft', 'ip');
    const r = view.dnat.find((x) => x.dport === 20999);
    expect(r).toMatchObject({ chain: 'CNI-DN-e194b5097a90c930d7e15', toIp: '10.88.0.2', toPort: 80 });
    expect(r?.jumpComments?.[0]).toMatch(/^dnat name: "podman" id: "c79e4829/);
    expect(chainManager(r!)?.kind).toBe('podman');
    const id = 'c79e482925494fc672289521944a417b0d1e1fb17b9bac418c274c87488f4b19';
    const snap = snapshot({
      iptablesNft: view,
      otherEngines: [{ engine: 'podman', id, name: 'pdtest-owners-probe', state: 'running', ips: [] }],
      // conmon holds the host port for the Podman container (test/live/podman.test.ts)
      sockets: [sock('tcp', '0.0.0.0', 20999, [16587])],
      processes: [proc(16587, 'conmon')],
    });
    const d = diagnose(snap, { proto: 'tcp', ip: null, port: 20999 });
    const f = d.findings.find((x) => x.rule === 'foreign-dnat');
    expect(f?.holders[0]).toMatchObject({
      kind: 'rule',
      chain: 'CNI-DN-e194b5097a90c930d7e15',
      owner: { kind: 'podman', containerId: id, containerName: 'pdtest-owners-probe' },
    });
    expect(f?.data.owner).toBe('Podman container pdtest-owners-probe [c79e48292549]');
    const plans = planRemedies(d, snap);
    expect(plans.map((p) => p.safety)).not.toContain('fix');
    expect(plans.find((p) => p.remedy === 'ask-rule-owner')?.steps[0]?.argv).toEqual([
      'podman',
      'stop',
      'pdtest-owners-probe',
    ]);
  });
  it("a hand rule in Docker's own chain to a target behind cni-podman0 or wg0 is foreign (the route says so)", () => {
    const text = (to: string): string =>
      `*nat\n:PREROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER\n-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8090 -j DNAT --to-destination ${to}:80\nCOMMIT\n`;
    const r = routing({
      routes4: `,{"dst":"10.88.0.0/16","dev":"cni-podman0","flags":[]},{"dst":"10.66.0.0/24","dev":"wg0","flags":[]}`,
      links: `,{"ifname":"wg0","flags":["UP"],"linkinfo":{"info_kind":"wireguard"},"addr_info":[]}`,
    });
    for (const [to, kind] of [
      ['10.88.0.9', 'podman'],
      ['10.66.0.3', 'vpn'],
    ] as const) {
      const snap = withRouting(snapshot({ iptablesNft: parseIptablesSave(text(to), 'iptables-nft', 'ip') }), r);
      const d = diagnose(snap, { proto: 'tcp', ip: null, port: 8090 });
      expect(d.verdict.cause, to).toBe('foreign-dnat');
      expect(ruleOf(d)?.owner?.kind).toBe(kind);
      expect(planRemedies(d, snap).map((p) => p.safety)).not.toContain('fix');
    }
  });
  it('firewalld (nft table) and libvirt (LIBVIRT_ chain) by their names', () => {
    const fwd = emptyView('nft');
    const rule = {
      backend: 'nft' as const,
      family: 'ip' as const,
      table: 'firewalld',
      chain: 'nat_PRE_public_allow',
      proto: 'tcp' as const,
      dport: 8443,
      dportEnd: 8443,
      daddr: null,
      toIp: '192.0.2.50',
      toPort: 443,
      text: 'meta nfproto ipv4 tcp dport 8443 dnat ip to 192.0.2.50:443',
      spec: null,
      handle: 12,
      position: 0,
      reachable: true,
      priority: -90,
      comment: null,
    };
    const d = diagnose(snapshot({ nft: { ...fwd, dnat: [rule] } }), { proto: 'tcp', ip: null, port: 8443 });
    expect(d.verdict.cause).toBe('foreign-dnat');
    expect(ruleOf(d)?.owner?.kind).toBe('firewalld');
    expect(chainManager({ ...rule, backend: 'iptables-nft', table: 'nat', chain: 'LIBVIRT_PRT' })?.kind).toBe(
      'libvirt',
    );
  });
});

describe('orphan only with proof', () => {
  it("the lab's orphans (172.17.0.250 in the bridge network's subnet, no container) stay proven and fixable", () => {
    for (const [cap, port] of [
      ['orphan-dnat', 18401],
      ['orphan-dnat-nft', 18404],
      ['orphan-dnat-nft-table', 18405],
    ] as const) {
      const snap = snapshotFromCapture(cap);
      const d = diagnose(snap, { proto: 'tcp', ip: null, port });
      expect(d.verdict, cap).toMatchObject({ cause: 'orphan-dnat', confidence: 'certain' });
      expect(ruleOf(d)?.owner).toMatchObject({ kind: 'orphan', iface: 'docker0' });
      expect(planRemedies(d, snap)[0]).toMatchObject({ remedy: 'delete-orphan-dnat', safety: 'fix' });
    }
  });
  it("without the engine's networks, a leftover in Docker's chain is only likely, and its delete a suggestion", () => {
    const lab = snapshotFromCapture('orphan-dnat');
    const snap: Snapshot = { ...lab, dockerNetworks: undefined };
    const d = diagnose(snap, { proto: 'tcp', ip: null, port: 18401 });
    expect(d.verdict).toMatchObject({ cause: 'orphan-dnat', confidence: 'likely' });
    const p = planRemedies(d, snap)[0];
    expect(p).toMatchObject({ remedy: 'delete-orphan-dnat', safety: 'suggest' });
    expect(p?.warnings.join(' ')).toMatch(/not proven an orphan/);
  });
  it('a target in a Docker subnet that still answers as a neighbour, or that routes elsewhere, is not an orphan', () => {
    const lab = snapshotFromCapture('orphan-dnat');
    const alive = withRouting(
      lab,
      routing({ neigh: `{"dst":"172.17.0.250","dev":"docker0","lladdr":"02:42:ac:11:00:fa","state":["REACHABLE"]}` }),
    );
    const d = diagnose(alive, { proto: 'tcp', ip: null, port: 18401 });
    expect(d.findings.map((f) => f.cause)).not.toContain('orphan-dnat');
    expect(d.findings.find((f) => f.rule === 'foreign-dnat')?.data).toMatchObject({
      ownerKind: 'unknown',
      why: 'something answers for 172.17.0.250: neighbour 172.17.0.250 is REACHABLE at 02:42:ac:11:00:fa on docker0',
    });
    expect(planRemedies(d, alive).map((p) => p.safety)).not.toContain('fix');
    // a stale neighbour entry is no proof of life
    const stale = withRouting(
      lab,
      routing({ neigh: `{"dst":"172.17.0.250","dev":"docker0","lladdr":"02:42:ac:11:00:fa","state":["STALE"]}` }),
    );
    expect(diagnose(stale, { proto: 'tcp', ip: null, port: 18401 }).verdict.cause).toBe('orphan-dnat');
    const overlapping = withRouting(lab, routing({ routes4: `,{"dst":"172.17.0.248/29","dev":"virbr1","flags":[]}` }));
    expect(ruleOf(diagnose(overlapping, { proto: 'tcp', ip: null, port: 18401 }))?.owner).toMatchObject({
      kind: 'libvirt',
      iface: 'virbr1',
    });
  });
  it('fix re-proves orphan-ness on the fresh snapshot: a route or a Podman container appearing meanwhile refuses it', () => {
    const lab = snapshotFromCapture('orphan-dnat/before-run');
    const plan = planRemedies(diagnose(lab, { proto: 'tcp', ip: null, port: 18401 }), lab)[0]!;
    const pre = plan.preconditions.find((p) => p.kind === 'dnat-orphan')!;
    expect(checkPrecondition(pre, lab)).toMatchObject({ ok: true, why: expect.stringMatching(/still an orphan/) });
    const moved = withRouting(lab, routing({ routes4: `,{"dst":"172.17.0.250/32","dev":"pdtest-br0","flags":[]}` }));
    expect(checkPrecondition(pre, moved)).toMatchObject({ ok: false, why: expect.stringMatching(/no longer proven/) });
    const podman: Snapshot = {
      ...lab,
      otherEngines: {
        ok: true,
        value: [{ engine: 'podman', id: 'f'.repeat(64), name: 'p1', state: 'running', ips: ['172.17.0.250'] }],
        source: 'test',
      },
    };
    expect(checkPrecondition(pre, podman).ok).toBe(false);
    const blind: Snapshot = {
      ...lab,
      dockerNetworks: { ok: false, error: { code: 'timeout', message: 'x' }, source: 't' },
    };
    expect(checkPrecondition(pre, blind).ok).toBe(false);
  });
  it("a hand rule outside Docker's chains to a live container that does not publish the port is someone's forward", () => {
    const text =
      '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -p tcp -m tcp --dport 9000 -m comment --comment "expose db" -j DNAT --to-destination 172.17.0.5:5432\nCOMMIT\n';
    const snap = snapshot({
      iptablesNft: parseIptablesSave(text, 'iptables-nft', 'ip'),
      containers: [container('dbdbdbdbdbdb', 'db', '172.17.0.5', [])],
    });
    const d = diagnose(snap, { proto: 'tcp', ip: null, port: 9000 });
    expect(d.verdict.cause).toBe('foreign-dnat');
    expect(ruleOf(d)?.owner).toMatchObject({ kind: 'host', containerName: 'db' });
    const j = natOwner((snap.iptablesNft.ok ? snap.iptablesNft.value.dnat : [])[0]!, ownerContext(snap));
    expect(natClass(j)).toBe('foreign');
  });
});

describe('RT-16: a process merely named docker-proxy', () => {
  it('the red-team snapshot (uid 1000, parent bash, exe not recorded): at most possible, and no unattended kill', () => {
    const snap = load('fake-proxy.json');
    const d = diagnose(snap, { proto: 'tcp', ip: null, port: 8083 });
    expect(d.verdict).toMatchObject({ cause: 'stale-docker-proxy', confidence: 'possible' });
    expect(planRemedies(d, snap).map((p) => p.safety)).not.toContain('fix');
  });
  it('with its exe recorded and not an engine binary, it is a host process (suggestion only)', () => {
    const base = load('fake-proxy.json');
    const procs = base.processes.ok ? base.processes.value : [];
    for (const exe of ['/home/mallory/docker-proxy', '/usr/bin/sleep']) {
      const snap: Snapshot = {
        ...base,
        processes: { ok: true, value: procs.map((p) => (p.pid === 4242 ? { ...p, exe } : p)), source: 'test' },
        engineBinaries: {
          ok: true,
          value: { dockerProxy: [{ path: '/usr/sbin/docker-proxy', why: 'installed at a package path' }] },
          source: 'test',
        },
      };
      const d = diagnose(snap, { proto: 'tcp', ip: null, port: 8083 });
      expect(d.verdict.cause, exe).toBe('host-process');
      expect(d.holders[0]).toMatchObject({ kind: 'process', pid: 4242 });
      const plans = planRemedies(d, snap);
      expect(plans[0]).toMatchObject({ remedy: 'stop-host-process', safety: 'suggest' });
      expect(plans.map((p) => p.safety)).not.toContain('fix');
    }
  });
});
