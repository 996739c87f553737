// Remedies as data: for each finding, the plans the runbook would give. Pure; nothing here runs.
// Argv arrays only (never shell strings); the executor at the edge runs them.
import type { Container, Diagnosis, Finding, Holder, Plan, Precondition, Snapshot } from '../model.js';
import { displayAddr } from '../util/ip.js';

type H<K extends Holder['kind']> = Extract<Holder, { kind: K }>;
const holder = <K extends Holder['kind']>(f: Finding, kind: K): H<K> | undefined =>
  f.holders.find((h): h is H<K> => h.kind === kind);

function composeStop(c: { composeProject: string | null; composeService: string | null }): string[] | null {
  return c.composeProject && c.composeService
    ? ['docker', 'compose', '-p', c.composeProject, 'stop', c.composeService]
    : null;
}

function moveAside(f: Finding, d: Diagnosis, freePort: number | null): Plan {
  const p = freePort ?? d.subject.port + 1;
  return {
    remedy: 'publish-elsewhere',
    safety: 'suggest',
    title: `Publish the new container on another host port${freePort ? ` (${freePort} is free)` : ''} or on a specific host IP`,
    disrupts: [],
    warnings: [],
    preconditions: [],
    steps: [
      {
        argv: ['docker', 'run', '-p', `${p}:CONTAINER_PORT`, 'IMAGE'],
        why: 'another host port avoids the holder entirely',
      },
      {
        argv: ['docker', 'run', '-p', `127.0.0.1:${d.subject.port}:CONTAINER_PORT`, 'IMAGE'],
        why: 'a loopback-only binding, when only this host needs it and the holder is not on 127.0.0.1 or a wildcard',
      },
    ],
    rule: f.rule,
  };
}

function deleteRulePlan(f: Finding, h: H<'rule'>, snap: Snapshot, dport: number): Plan | null {
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
    const bin = `${fam === 'ip6' ? 'ip6tables' : 'iptables'}-${h.backend === 'iptables-legacy' ? 'legacy' : 'nft'}`;
    argv = [bin, '-w', '-t', h.table, '-D', h.chain, ...r.spec];
    undo = [bin, '-w', '-t', h.table, '-A', h.chain, ...r.spec];
    spec = r.spec;
  }
  const pre: Precondition[] = [
    {
      kind: 'dnat-present',
      backend: h.backend,
      family: fam,
      table: h.table,
      chain: h.chain,
      spec,
      handle: h.handle,
      toIp: h.toIp,
      dport,
    },
    { kind: 'ip-not-live', ip: h.toIp },
  ];
  return {
    remedy: 'delete-orphan-dnat',
    safety: 'fix',
    title: `Delete the orphan DNAT rule (${h.backend} ${h.family} ${h.table} ${h.chain}${h.handle !== null ? ` handle ${h.handle}` : ''})`,
    disrupts: [],
    warnings: ['undo (`portdoctor fix --undo`) re-adds the rule at the end of its chain, not at its old position'],
    preconditions: pre,
    steps: [
      { argv, why: `it sends ${dport} to ${h.toIp}, which no live container answers for`, ...(undo ? { undo } : {}) },
    ],
    rule: f.rule,
  };
}

function restartDockerd(f: Finding, snap: Snapshot, live: readonly Container[]): Plan {
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

export interface PlanOptions {
  /** a free host port to suggest moving to (found by --suggest-port) */
  readonly freePort?: number | null;
}

export function planRemedies(d: Diagnosis, snap: Snapshot, opts: PlanOptions = {}): Plan[] {
  const live = snap.containers.ok
    ? snap.containers.value.filter((c) => c.state === 'running' || c.state === 'paused')
    : [];
  const plans: Plan[] = [];
  for (const f of d.findings) {
    if (f.severity === 'info' && f.rule !== 'stopped-container-claims-port') continue;
    switch (f.cause) {
      case 'orphan-dnat':
      case 'firewall-split-brain': {
        const h = holder(f, 'rule');
        if (!h) break;
        const del = deleteRulePlan(f, h, snap, d.subject.port);
        if (del) plans.push(del);
        // the runbook's legacy switch only where the kernel can run legacy (docker/for-linux#1437)
        if (
          f.cause === 'firewall-split-brain' &&
          snap.host.ok &&
          snap.host.value.wsl === 2 &&
          snap.host.value.legacySupported !== false
        ) {
          plans.push({
            remedy: 'wsl-switch-to-legacy',
            safety: 'suggest',
            title: 'WSL2 split brain: make Docker and you use the same iptables backend',
            disrupts: live.map((c) => `container ${c.name}`),
            warnings: [
              snap.host.value.legacyTables.ip.length
                ? 'this kernel has legacy x_tables registered, so the legacy backend works here'
                : 'this kernel shows no legacy x_tables: check `iptables-legacy -L` works before switching (docker/for-linux#1437)',
            ],
            preconditions: [],
            steps: [
              {
                argv: ['update-alternatives', '--set', 'iptables', '/usr/sbin/iptables-legacy'],
                why: 'the runbook switch (microsoft/WSL#7705)',
              },
              {
                argv: ['update-alternatives', '--set', 'ip6tables', '/usr/sbin/ip6tables-legacy'],
                why: 'same for IPv6',
              },
              { argv: ['systemctl', 'restart', 'docker'], why: 'dockerd re-programs its rules with the new backend' },
            ],
            rule: f.rule,
          });
        }
        plans.push(restartDockerd(f, snap, live));
        break;
      }
      case 'stale-docker-proxy': {
        const h = holder(f, 'docker-proxy');
        if (!h) break;
        plans.push({
          remedy: 'stop-stale-proxy',
          safety: f.data.parentIsDockerd === true ? 'suggest' : 'fix',
          title: `Stop the stale docker-proxy (pid ${h.pid})`,
          disrupts: [],
          warnings:
            f.data.parentIsDockerd === true ? ['its parent is dockerd: restarting the daemon is the cleaner way'] : [],
          preconditions: [
            {
              kind: 'process-is',
              pid: h.pid,
              comm: 'docker-proxy',
              notChildOfDockerd: true,
              holdsPort: d.subject.port,
            },
            { kind: 'ip-not-live', ip: h.containerIp },
          ],
          steps: [
            {
              argv: ['kill', '-TERM', String(h.pid)],
              why: `it holds ${displayAddr(h.bind.ip, h.bind.port)} and forwards to ${h.containerIp}, which no container has`,
            },
          ],
          rule: f.rule,
        });
        break;
      }
      case 'stale-allocation':
      case 'container':
      case 'host-network-container': {
        const h = holder(f, 'container');
        if (!h) break;
        const stopped = f.rule === 'stopped-container-claims-port';
        const cs = composeStop(h);
        if (stopped) {
          plans.push({
            remedy: 'remove-idle-container',
            safety: 'suggest',
            title: `Remove (or stop auto-starting) ${h.state} container ${h.name}, which would re-claim the port on start`,
            disrupts: [`container ${h.name} (${h.state})`],
            warnings: [],
            preconditions: [{ kind: 'container-state', id: h.id, states: [h.state] }],
            steps: [
              { argv: ['docker', 'update', '--restart=no', h.id], why: 'keeps it from starting by itself' },
              { argv: ['docker', 'rm', h.id], why: 'it holds nothing now, but `docker start` would claim the port' },
            ],
            rule: f.rule,
          });
          break;
        }
        if (f.cause === 'stale-allocation') {
          plans.push({
            remedy: 'restart-owning-container',
            safety: 'suggest',
            title: `Restart ${h.name}: its docker-proxy is gone, a restart re-creates it (or removes the allocation if you remove it)`,
            disrupts: [`container ${h.name}`],
            warnings: f.data.hostProcessNow
              ? ['a host process took the port meanwhile: the restart will fail until it is stopped']
              : [],
            preconditions: [{ kind: 'container-state', id: h.id, states: ['running'] }],
            steps: [
              {
                argv: cs
                  ? ['docker', 'compose', '-p', h.composeProject as string, 'restart', h.composeService as string]
                  : ['docker', 'restart', h.id],
                why: 'releases and re-creates the mapping and its proxy',
              },
            ],
            rule: f.rule,
          });
        } else {
          plans.push({
            remedy: 'stop-holding-container',
            safety: 'suggest',
            title: `Stop ${f.cause === 'host-network-container' ? 'host-network ' : ''}container ${h.name}${cs ? ` (compose service ${h.composeService})` : ''}, which holds the port`,
            disrupts: [`container ${h.name}`],
            warnings: [],
            preconditions: [{ kind: 'container-state', id: h.id, states: ['running', 'paused'] }],
            steps: [
              {
                argv: cs ?? ['docker', 'stop', h.id],
                why: 'frees the mapping; it comes back on the next start unless its ports are changed',
              },
            ],
            rule: f.rule,
          });
          if (cs) {
            plans.push({
              remedy: 'recreate-compose-service',
              safety: 'suggest',
              title: `After changing ${h.composeService}'s ports in the compose file, recreate it`,
              disrupts: [`compose service ${h.composeService}`],
              warnings: [],
              preconditions: [],
              steps: [
                {
                  argv: [
                    'docker',
                    'compose',
                    '-p',
                    h.composeProject as string,
                    'up',
                    '-d',
                    '--force-recreate',
                    h.composeService as string,
                  ],
                  why: 'applies the corrected mapping',
                },
              ],
              rule: f.rule,
            });
          }
        }
        plans.push(moveAside(f, d, opts.freePort ?? null));
        break;
      }
      case 'host-process':
      case 'resolved-stub': {
        const h = holder(f, 'process');
        if (!h) break;
        if (f.cause === 'resolved-stub') {
          plans.push({
            remedy: 'bind-specific-ip',
            safety: 'suggest',
            title: 'Publish DNS on a specific host IP; the stub keeps 127.0.0.53',
            disrupts: [],
            warnings: [],
            preconditions: [],
            steps: [
              {
                argv: ['docker', 'run', '-p', `127.0.0.1:${d.subject.port}:53/${d.subject.proto}`, 'IMAGE'],
                why: 'a specific IP does not overlap 127.0.0.53 (lab: resolved-stub control)',
              },
            ],
            rule: f.rule,
          });
          plans.push({
            remedy: 'stop-resolved-stub',
            safety: 'suggest',
            title: "Disable systemd-resolved's stub listener",
            disrupts: ['name resolution on this host until /etc/resolv.conf points elsewhere'],
            warnings: [
              'the host loses its DNS stub: set DNSStubListener=no and repoint /etc/resolv.conf before stopping it',
            ],
            preconditions: [],
            steps: [
              {
                argv: ['sed', '-i', 's/^#\\?DNSStubListener=.*/DNSStubListener=no/', '/etc/systemd/resolved.conf'],
                why: 'keeps resolved running without the port-53 stub',
              },
              { argv: ['systemctl', 'restart', 'systemd-resolved'], why: 'applies it' },
            ],
            rule: f.rule,
          });
          break;
        }
        plans.push({
          remedy: 'stop-host-process',
          safety: 'suggest',
          title: h.unit
            ? `Stop ${h.unit} (holds the port as ${h.comm}, pid ${h.pid})`
            : `Stop ${h.comm} (pid ${h.pid})`,
          disrupts: [`${h.unit ?? h.comm} (pid ${h.pid})`],
          warnings: ['a host process is never stopped unattended: check what it is first'],
          preconditions: [
            { kind: 'process-is', pid: h.pid, comm: h.comm, notChildOfDockerd: false, holdsPort: d.subject.port },
          ],
          steps: [
            h.unit
              ? {
                  argv: ['systemctl', 'stop', h.unit],
                  why: 'stops the service cleanly (disable it too if it should not come back)',
                }
              : {
                  argv: ['kill', '-TERM', String(h.pid)],
                  why: `pid ${h.pid} holds the port and belongs to no systemd unit`,
                },
          ],
          rule: f.rule,
        });
        plans.push(moveAside(f, d, opts.freePort ?? null));
        break;
      }
      case 'rootless-regression':
        plans.push({
          remedy: 'upgrade-rootless-engine',
          safety: 'suggest',
          title: 'Upgrade Docker to 29.1.2 or later (moby#51616); no port-level workaround helps',
          disrupts: ['rootless Docker daemon restart'],
          warnings: [
            "maintainers' interim workaround: the pasta network with the implicit port driver (DOCKERD_ROOTLESS_ROOTLESSKIT_NET=pasta, DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER=implicit)",
          ],
          preconditions: [],
          steps: [{ argv: ['systemctl', '--user', 'restart', 'docker'], why: 'after installing the fixed engine' }],
          rule: f.rule,
        });
        break;
      default:
        break;
    }
  }
  return plans;
}
