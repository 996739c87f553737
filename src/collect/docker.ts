// The Docker Engine API over its unix socket (DOCKER_HOST honoured). A thin client over node:http
// rather than dockerode: three GETs need no grpc/ssh2 dependency tree, and a diagnose must start fast.
import type { Container, EngineInfo, Fact } from '../model.js';
import { errnoCode, fail, ok } from './fact.js';
import { dockerEndpoint, type HostIO } from './host-io.js';
import { configuredBindings, containerFromList } from './parse/docker-api.js';
import { procPids } from './proc-pids.js';

type J = Record<string, unknown>;

async function getJson(
  io: HostIO,
  path: string,
  timeoutMs: number,
  headers?: Record<string, string>,
): Promise<unknown> {
  const r = await io.dockerGet(path, { timeoutMs });
  if (r.status !== 200)
    throw Object.assign(new Error(`GET ${path} answered HTTP ${r.status}: ${r.body.slice(0, 200)}`), { code: 'EHTTP' });
  const api = r.headers?.['api-version'];
  if (headers && typeof api === 'string') headers.api = api;
  // Podman's Docker-compatible API says who it is in its headers (Libpod-Api-Version, Server: Libpod/…)
  const libpod = r.headers?.['libpod-api-version'];
  if (headers && typeof libpod === 'string') headers.libpod = libpod;
  return JSON.parse(r.body);
}

function socketName(io: HostIO): string {
  const ep = dockerEndpoint(io.env);
  if (ep.error) return ep.error;
  const where = ep.socketPath ?? `${ep.host}:${ep.port}`;
  return ep.context ? `${where} (docker context ${ep.context})` : where;
}

export interface DaemonConfig {
  readonly userlandProxy: boolean | null;
  readonly liveRestore: boolean | null;
  readonly firewallBackend: string | null;
  readonly dockerdPids: number[];
  readonly iptablesVariant: 'nft' | 'legacy' | null;
}

const alive = (io: HostIO, pid: number): boolean => {
  try {
    return io.readText(`/proc/${pid}/comm`).trim() === 'dockerd';
  } catch {
    return false;
  }
};

/**
 * A dockerd started with its own --pidfile (not /var/run/docker.pid): the dockerd process that holds
 * the listening unix socket DOCKER_HOST names, found by that socket's inode in /proc/net/unix. Only
 * processes named dockerd are looked at, so this stays cheap on a busy host.
 */
function daemonBySocket(io: HostIO): number | null {
  const sock = dockerEndpoint(io.env).socketPath;
  if (!sock) return null;
  try {
    let inode: string | null = null;
    for (const line of io.readText('/proc/net/unix').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[7] === sock && f[3] === '00010000') inode = f[6] ?? null; // __SO_ACCEPTCON: listening
    }
    if (!inode) return null;
    for (const d of procPids(io)) {
      if (!alive(io, d)) continue;
      try {
        // in descriptor order (readdir sorts by name): the API socket is opened early, fd 3 when socket-activated
        const fds = io
          .readdir(`/proc/${d}/fd`)
          .map(Number)
          .sort((a, b) => a - b);
        for (const fd of fds) if (io.readlink(`/proc/${d}/fd/${fd}`) === `socket:[${inode}]`) return Number(d);
      } catch {
        /* gone, or not ours to read */
      }
    }
  } catch {
    /* no /proc/net/unix */
  }
  return null;
}

/** dockerd argv and daemon.json: userland-proxy, live-restore, firewall-backend; which iptables it runs. */
export function readDaemonConfig(io: HostIO): DaemonConfig {
  const pids: number[] = [];
  for (const f of ['/var/run/docker.pid', `${io.env.XDG_RUNTIME_DIR ?? '/nonexistent'}/docker.pid`]) {
    try {
      const n = Number(io.readText(f).trim());
      if (n > 0) pids.push(n);
    } catch {
      /* not there */
    }
  }
  if (!pids.some((pid) => alive(io, pid))) {
    const bySocket = daemonBySocket(io);
    if (bySocket !== null) pids.push(bySocket);
  }
  let argv: string[] = [];
  let path: string | null = null;
  for (const pid of pids) {
    try {
      argv = io.readText(`/proc/${pid}/cmdline`).split('\0').filter(Boolean);
    } catch {
      /* gone */
    }
    try {
      path = /(?:^|\0)PATH=([^\0]*)/.exec(io.readText(`/proc/${pid}/environ`))?.[1] ?? null;
    } catch {
      /* not root */
    }
  }
  const flag = (name: string): string | null => {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i] ?? '';
      if (a === `--${name}`) return argv[i + 1] && !argv[i + 1]?.startsWith('-') ? (argv[i + 1] as string) : 'true';
      if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
    }
    return null;
  };
  let json: J = {};
  try {
    json = JSON.parse(io.readText(flag('config-file') ?? '/etc/docker/daemon.json')) as J;
  } catch {
    /* absent or invalid */
  }
  const bool = (v: unknown): boolean | null =>
    v === true || v === 'true' ? true : v === false || v === 'false' ? false : null;
  let iptablesVariant: DaemonConfig['iptablesVariant'] = null;
  // dockerd runs the first `iptables` on its own PATH (recorded in test/fixtures/lab/_env/backend-and-rootless.txt)
  for (const dir of (path ?? '').split(':').filter(Boolean)) {
    try {
      const real = io.realpath(`${dir}/iptables`);
      iptablesVariant = /legacy/.test(real) ? 'legacy' : /nft/.test(real) ? 'nft' : null;
      break;
    } catch {
      /* not in this dir */
    }
  }
  return {
    userlandProxy: bool(flag('userland-proxy')) ?? bool(json['userland-proxy']),
    liveRestore: bool(flag('live-restore')) ?? bool(json['live-restore']),
    firewallBackend:
      flag('firewall-backend') ??
      (typeof json['firewall-backend'] === 'string' ? (json['firewall-backend'] as string) : null),
    dockerdPids: pids,
    iptablesVariant,
  };
}

export async function collectDocker(
  io: HostIO,
  timeoutMs = 4000,
): Promise<{ engine: Fact<EngineInfo>; containers: Fact<Container[]> }> {
  const sock = socketName(io);
  let info: J;
  let list: unknown;
  const hdr: Record<string, string> = {};
  // not GET /version: it asks containerd and runc for their versions (~10 ms); /info has the
  // engine version and every answer carries the API version in its Api-Version header
  const asked = Promise.all([
    getJson(io, '/info', timeoutMs, hdr),
    getJson(io, '/containers/json?all=1', timeoutMs, hdr),
  ]);
  asked.catch(() => undefined); // awaited below; the config is read while the daemon answers
  const cfg = readDaemonConfig(io);
  try {
    [info, list] = (await asked) as [J, unknown];
  } catch (e) {
    const code = e instanceof SyntaxError ? 'unparsable' : errnoCode(e);
    const why =
      code === 'absent'
        ? `no Docker daemon answers on ${sock} (is dockerd running? set DOCKER_HOST for another socket)`
        : code === 'denied'
          ? `permission denied on ${sock} (run as root or as a member of the docker group)`
          : code === 'timeout'
            ? `the Docker API on ${sock} did not answer in ${timeoutMs} ms`
            : `the Docker API on ${sock} failed: ${(e as Error).message}`;
    const f = fail<never>(code, why, `GET ${sock} /info /containers/json`);
    return { engine: f, containers: f };
  }
  const secopts = Array.isArray(info.SecurityOptions) ? (info.SecurityOptions as string[]) : [];
  const fw = (info.FirewallBackend as J | undefined)?.Driver;
  const podman = hdr.libpod !== undefined || String(info.DockerRootDir ?? '').startsWith('/var/lib/containers/');
  const engine: EngineInfo = {
    product: podman ? 'podman' : 'docker',
    version: String(info.ServerVersion ?? ''),
    apiVersion: hdr.api ?? '',
    rootless: secopts.some((s) => s.includes('name=rootless')),
    securityOptions: secopts,
    firewallBackend: typeof fw === 'string' ? fw : podman ? 'netavark' : cfg.firewallBackend,
    liveRestore: info.LiveRestoreEnabled === true || cfg.liveRestore === true,
    // Podman has no docker-proxy: conmon (rootful) or rootlessport/pasta hold its published ports
    userlandProxy: podman ? false : (cfg.userlandProxy ?? true),
    dockerdPids: cfg.dockerdPids,
    iptablesVariant: cfg.iptablesVariant,
    operatingSystem: String(info.OperatingSystem ?? ''),
    kernel: String(info.KernelVersion ?? ''),
  };
  if (engine.rootless) Object.assign(engine, rootlesskitOf(io));
  const containers = (Array.isArray(list) ? list : []).map(containerFromList);
  // Not-running containers: what would they claim on start? (the list shows only some of them)
  const idle = containers.filter((c) => c.state !== 'running' && c.state !== 'paused').slice(0, 64);
  const notes: string[] = [];
  const inspected = new Map<string, ReturnType<typeof configuredBindings>>();
  await Promise.all(
    idle.map(async (c) => {
      try {
        inspected.set(c.id, configuredBindings(await getJson(io, `/containers/${c.id}/json`, timeoutMs)));
      } catch (e) {
        notes.push(`inspect ${c.name}: ${(e as Error).message}`);
      }
    }),
  );
  const full = containers.map((c) => {
    const i = inspected.get(c.id);
    return i ? { ...c, configured: i.bindings, restartPolicy: i.restartPolicy } : c;
  });
  return { engine: ok(engine, `GET ${sock} /info`), containers: ok(full, `GET ${sock} /containers/json?all=1`, notes) };
}

/** RootlessKit's port driver and network, from its argv or its environment (rootless Docker only). */
export function rootlesskitOf(io: HostIO): { rootlessPortDriver: string | null; rootlessNet: string | null } {
  let pids: number[] = [];
  try {
    pids = procPids(io);
  } catch {
    return { rootlessPortDriver: null, rootlessNet: null };
  }
  for (const pid of pids) {
    let comm = '';
    try {
      comm = io.readText(`/proc/${pid}/comm`).trim();
    } catch {
      continue;
    }
    if (comm !== 'rootlesskit') continue;
    let argv: string[] = [];
    try {
      argv = io.readText(`/proc/${pid}/cmdline`).split('\0');
    } catch {
      /* gone */
    }
    const flag = (n: string): string | null => {
      const a = argv.find((x) => x.startsWith(`--${n}=`));
      return a ? a.slice(n.length + 3) : null;
    };
    let env = '';
    try {
      env = io.readText(`/proc/${pid}/environ`);
    } catch {
      /* not ours */
    }
    const fromEnv = (n: string): string | null => new RegExp(`(?:^|\\0)${n}=([^\\0]*)`).exec(env)?.[1] ?? null;
    return {
      rootlessPortDriver: flag('port-driver') ?? fromEnv('DOCKERD_ROOTLESS_ROOTLESSKIT_PORT_DRIVER') ?? 'builtin',
      rootlessNet: flag('net') ?? fromEnv('DOCKERD_ROOTLESS_ROOTLESSKIT_NET'),
    };
  }
  return { rootlessPortDriver: null, rootlessNet: null };
}
