// What each engine under test does, as observed live on this project's test host (Debian 12, kernel
// iptables-nft): one table, keyed by engine, that the live tests read instead of asserting one engine's
// strings. scripts/test.sh runs the live suite once per engine and sets PORTDOCTOR_TEST_ENGINE; without
// it (a single file through a developer's runner) the engine is read from the daemon's version.
import { spawnSync } from 'node:child_process';

export type EngineId = '20.10' | '28.5';

export interface EngineExpect {
  id: EngineId;
  /** what the test command starts for this engine */
  label: string;
  /** 28: dockerd binds the host socket itself and hands it to docker-proxy (-use-listen-fd) */
  dockerdBindsHostSockets: boolean;
  /** the docker-proxy binary of this engine (a stale one is started from it) */
  dockerProxy: string;
  /** `docker run -p IP:P` refused by the kernel because a host socket holds the port */
  hostBindInUse(o: { ip: string; port: number; proto?: 'tcp' | 'udp' }): RegExp;
  /**
   * refused by dockerd's own port allocator: another mapping of this engine holds the port. Without
   * `ip`, for a default `-p P` (0.0.0.0 and ::): which of the two the message names is the engine's.
   */
  allocated(o: { ip?: string; port: number }): RegExp;
  /** `-p 127.0.0.1:P` while another container maps 0.0.0.0:P: who refuses, and with what */
  loopbackBesideWildcard(port: number): RegExp;
  /** `-p P/udp` beside a UDP socket on 127.0.0.53:P with SO_REUSEADDR (systemd-resolved's stub) */
  udpBesideReusableStub: 'refused' | 'published';
  /** rootless dockerd of this engine (dockerd-rootless.sh, RootlessKit's builtin port driver) */
  rootless: {
    rootlesskit: string;
    /** `docker run -p P` refused because a host process holds P */
    hostBindInUse(port: number): RegExp;
  };
  /**
   * Where portdoctor is known to be wrong on this engine today: the test still states the engine's
   * truth, and is marked as an expected failure (vitest `it.fails`) naming who fixes it, so a fix turns
   * it red until this entry is removed.
   */
  knownWrong: Partial<Record<'udpBesideReusableStub', string>>;
}

const v = (ip: string) => (ip.includes(':') ? `\\[${ip}\\]` : ip.replace(/\./g, '\\.'));
const fam = (ip: string) => (ip.includes(':') ? '6' : '4');

const TABLE: Record<EngineId, EngineExpect> = {
  '20.10': {
    id: '20.10',
    label: "Debian 12's docker.io 20.10.24",
    dockerdBindsHostSockets: false,
    dockerProxy: '/usr/sbin/docker-proxy',
    // Error starting userland proxy: listen tcp4 0.0.0.0:P: bind: address already in use
    hostBindInUse: ({ ip, port, proto = 'tcp' }) =>
      new RegExp(
        `Error starting userland proxy: listen ${proto}${fam(ip)} ${v(ip)}:${port}: bind: address already in use`,
      ),
    allocated: ({ ip = '0.0.0.0', port }) => new RegExp(`Bind for ${v(ip)}:${port} failed: port is already allocated`),
    // docker-proxy's bind of 127.0.0.1:P meets the first container's 0.0.0.0:P socket
    loopbackBesideWildcard: (port) =>
      new RegExp(`Error starting userland proxy: listen tcp4 127\\.0\\.0\\.1:${port}: bind: address already in use`),
    // docker-proxy binds UDP without SO_REUSEADDR
    udpBesideReusableStub: 'refused',
    rootless: {
      rootlesskit: 'rootlesskit 1.1.0 (Debian 12)',
      hostBindInUse: (port) =>
        new RegExp(`PortManager\\.AddPort\\(\\): listen tcp4 0\\.0\\.0\\.0:${port}: bind: address already in use`),
    },
    knownWrong: {},
  },
  '28.5': {
    id: '28.5',
    label: "Debian sid's docker.io 28.5.2 (unpacked by scripts/engines.sh)",
    dockerdBindsHostSockets: true,
    dockerProxy: process.env.PORTDOCTOR_TEST_DOCKER_PROXY ?? '/usr/sbin/docker-proxy',
    // failed to bind host port for 0.0.0.0:P:172.17.0.2:80/tcp: address already in use
    hostBindInUse: ({ ip, port, proto = 'tcp' }) =>
      new RegExp(`failed to bind host port for ${v(ip)}:${port}:[0-9a-f.:]+:\\d+/${proto}: address already in use`),
    // a default mapping is checked per family in no fixed order: "Bind for 0.0.0.0:P" or "Bind for :::P"
    // (the IPv6 address unbracketed) were both seen for the same -p P
    allocated: ({ ip, port }) =>
      new RegExp(
        `Bind for ${ip ? ip.replace(/\./g, '\\.') : '(?:0\\.0\\.0\\.0|::)'}:${port} failed: port is already allocated`,
      ),
    // the allocator refuses it before any bind, naming the 0.0.0.0 mapping that holds the port
    loopbackBesideWildcard: (port) => new RegExp(`Bind for 0\\.0\\.0\\.0:${port} failed: port is already allocated`),
    // dockerd binds UDP with SO_REUSEADDR: the stub's 127.0.0.53 socket does not stop 0.0.0.0
    udpBesideReusableStub: 'published',
    rootless: {
      rootlesskit: 'rootlesskit 2.0.2 (Debian sid)',
      hostBindInUse: (port) =>
        new RegExp(`PortManager\\.AddPort\\(\\): listen tcp4 0\\.0\\.0\\.0:${port}: bind: address already in use`),
    },
    knownWrong: {},
  },
};

function detect(): EngineId | null {
  const r = spawnSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8', timeout: 10_000 });
  const ver = (r.stdout ?? '').trim();
  if (ver.startsWith('20.10.')) return '20.10';
  if (ver.startsWith('28.5.')) return '28.5';
  return null;
}

const fromEnv = process.env.PORTDOCTOR_TEST_ENGINE;
export const ENGINE_ID: EngineId | null =
  fromEnv === '20.10' || fromEnv === '28.5' ? fromEnv : fromEnv ? null : detect();
/** the engine under test; the 20.10 row when no daemon answers (the tests then skip on dockerReady) */
export const ENGINE: EngineExpect = TABLE[ENGINE_ID ?? '20.10'];
