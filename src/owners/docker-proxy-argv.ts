// Pure, so the owner model (src/owners/socket-owner.ts) and the collectors read docker-proxy argv alike.
// docker-proxy argv, as dockerd starts it:
//   /usr/sbin/docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 18901 -container-ip 172.17.0.2 -container-port 80 [-use-listen-fd]
import type { DockerProxyArgs, Proto } from '../model.js';
import { normalizeIp } from '../util/ip.js';

export function isDockerProxy(comm: string, argv: readonly string[]): boolean {
  const exe = argv[0] ?? '';
  return comm === 'docker-proxy' || /(^|\/)docker-proxy$/.test(exe);
}

export function parseDockerProxyArgv(argv: readonly string[]): DockerProxyArgs | null {
  const get = (flag: string): string | undefined => {
    for (let i = 1; i < argv.length; i++) {
      const a = argv[i] ?? '';
      if (a === `-${flag}` || a === `--${flag}`) return argv[i + 1];
      if (a.startsWith(`-${flag}=`) || a.startsWith(`--${flag}=`)) return a.slice(a.indexOf('=') + 1);
    }
    return undefined;
  };
  const proto = get('proto') ?? 'tcp';
  const hostIp = normalizeIp(get('host-ip') ?? '');
  const hostPort = Number(get('host-port'));
  const containerIp = normalizeIp(get('container-ip') ?? '');
  const containerPort = Number(get('container-port'));
  if (
    (proto !== 'tcp' && proto !== 'udp') ||
    !hostIp ||
    !containerIp ||
    !Number.isInteger(hostPort) ||
    !Number.isInteger(containerPort)
  ) {
    return null;
  }
  return {
    proto: proto as Proto,
    hostIp,
    hostPort,
    containerIp,
    containerPort,
    useListenFd: argv.includes('-use-listen-fd'),
  };
}
