// Engine API JSON → our Container/Engine records. Pure, so recorded API answers replay.
import type { Container, ContainerNetwork, PortBinding, Proto } from '../../model.js';
import { normalizeIp } from '../../util/ip.js';

type J = Record<string, unknown>;
const obj = (v: unknown): J => (v && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** One entry of GET /containers/json?all=1 */
export function containerFromList(c: unknown): Container {
  const o = obj(c);
  const labels = obj(o.Labels);
  const nets = obj(obj(o.NetworkSettings).Networks);
  const ips: string[] = [];
  const networks: ContainerNetwork[] = [];
  for (const [name, n] of Object.entries(nets)) {
    const ip4 = str(obj(n).IPAddress);
    const ip6 = str(obj(n).GlobalIPv6Address);
    if (ip4) {
      const len = obj(n).IPPrefixLen;
      networks.push({
        name,
        id: str(obj(n).NetworkID),
        ip: ip4,
        prefixLen: typeof len === 'number' ? len : 0,
        gateway: str(obj(n).Gateway),
      });
    }
    if (ip4) ips.push(ip4);
    if (ip6) ips.push(normalizeIp(ip6) ?? ip6);
  }
  const published: PortBinding[] = [];
  for (const p of Array.isArray(o.Ports) ? o.Ports : []) {
    const po = obj(p);
    if (typeof po.PublicPort !== 'number') continue; // exposed only
    if (!isPort(po.PublicPort)) continue; // not a port dockerd would report
    published.push({
      proto: (str(po.Type) || 'tcp') as Proto,
      hostIp: normalizeIp(str(po.IP) || '0.0.0.0') ?? '0.0.0.0',
      hostPort: po.PublicPort,
      containerPort: typeof po.PrivatePort === 'number' && isPort(po.PrivatePort) ? po.PrivatePort : 0,
    });
  }
  const names = Array.isArray(o.Names) ? o.Names.map(str) : [];
  return {
    id: str(o.Id),
    name: (names[0] ?? '').replace(/^\//, ''),
    state: str(o.State),
    status: str(o.Status),
    image: str(o.Image),
    networkMode: str(obj(o.HostConfig).NetworkMode) || 'default',
    ips,
    networks,
    published,
    configured: null,
    restartPolicy: null,
    composeProject: str(labels['com.docker.compose.project']) || null,
    composeService: str(labels['com.docker.compose.service']) || null,
    composeWorkingDir: str(labels['com.docker.compose.project.working_dir']) || null,
  };
}

const isPort = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 65535;

/** HostConfig.PortBindings of GET /containers/{id}/json: what the container claims when it starts. */
export function configuredBindings(inspect: unknown): { bindings: PortBinding[]; restartPolicy: string | null } {
  const hc = obj(obj(inspect).HostConfig);
  const pb = obj(hc.PortBindings);
  const bindings: PortBinding[] = [];
  for (const [key, list] of Object.entries(pb)) {
    const [cport, proto] = key.split('/');
    for (const b of Array.isArray(list) ? list : []) {
      const bo = obj(b);
      const hp = str(bo.HostPort);
      if (!hp) continue; // ephemeral: the daemon picks at start
      const [lo, hi] = hp.split('-').map(Number);
      // a range bounded by real ports only: "1-99999999" from a hostile API must not loop for minutes
      if (lo === undefined || !isPort(lo) || (hi !== undefined && (!isPort(hi) || hi < lo))) continue;
      if (!isPort(Number(cport))) continue;
      const hostIps = str(bo.HostIp) ? [normalizeIp(str(bo.HostIp)) ?? str(bo.HostIp)] : ['0.0.0.0', '::'];
      for (let port = lo ?? 0; port <= (hi ?? lo ?? 0); port++) {
        for (const hostIp of hostIps)
          bindings.push({ proto: (proto || 'tcp') as Proto, hostIp, hostPort: port, containerPort: Number(cport) });
      }
    }
  }
  const rp = str(obj(hc.RestartPolicy).Name);
  return { bindings, restartPolicy: rp || null };
}
