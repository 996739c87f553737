// What the owner check of a DNAT rule needs from the host: interfaces, the main routing table and
// the neighbour table (iproute2's JSON), and the engine's networks (GET /networks).
import type { DockerNetwork, Fact, Routing } from '../model.js';
import { errnoCode, fail, ok } from './fact.js';
import type { HostIO } from './host-io.js';
import { parseIpAddr, parseIpNeigh, parseIpRoute } from './parse/ip-json.js';

export async function collectRouting(io: HostIO, timeoutMs = 3000): Promise<Fact<Routing>> {
  const src = 'ip -j -d addr; ip -j -4/-6 route show table main; ip -j neigh';
  const [addr, r4, r6, neigh] = await Promise.all([
    io.exec(['ip', '-j', '-d', 'addr', 'show'], { timeoutMs }),
    io.exec(['ip', '-j', '-4', 'route', 'show', 'table', 'main'], { timeoutMs }),
    io.exec(['ip', '-j', '-6', 'route', 'show', 'table', 'main'], { timeoutMs }),
    io.exec(['ip', '-j', 'neigh', 'show'], { timeoutMs }),
  ]);
  if (addr.error === 'absent') return fail('absent', 'ip (iproute2) is not installed', src);
  for (const [what, r] of [
    ['ip addr', addr],
    ['ip -4 route', r4],
    ['ip route', r6],
    ['ip neigh', neigh],
  ] as const) {
    if (r.error === 'timeout') return fail('timeout', `${what} did not finish in time`, src);
    if (r.error === 'denied') return fail('denied', `${what}: permission denied (cannot execute ip)`, src);
    if (r.code !== 0 && what !== 'ip route')
      return fail('failed', `${what} exited ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`, src);
  }
  try {
    return ok(
      {
        interfaces: parseIpAddr(addr.stdout),
        routes: [...parseIpRoute(r4.stdout, 4), ...(r6.code === 0 ? parseIpRoute(r6.stdout, 6) : [])],
        neighbours: parseIpNeigh(neigh.stdout),
      },
      src,
      r6.code === 0 ? [] : ['no IPv6 routing table: IPv6 targets cannot be looked up'],
    );
  } catch (e) {
    return fail('unparsable', `ip -j output could not be parsed: ${(e as Error).message}`, src);
  }
}

type J = Record<string, unknown>;

/** Bridge networks' subnets and Linux bridge names (docker0, br-<id12> or the name option). */
export function networksFromApi(list: unknown): DockerNetwork[] {
  return (Array.isArray(list) ? (list as J[]) : []).map((n) => {
    const id = String(n.Id ?? n.ID ?? '');
    const driver = String(n.Driver ?? '');
    const opts = (n.Options ?? {}) as Record<string, unknown>;
    const cfg = (((n.IPAM ?? {}) as J).Config ?? []) as J[];
    const named =
      typeof opts['com.docker.network.bridge.name'] === 'string'
        ? String(opts['com.docker.network.bridge.name'])
        : null;
    return {
      id,
      name: String(n.Name ?? ''),
      driver,
      bridge: driver === 'bridge' ? (named ?? `br-${id.slice(0, 12)}`) : null,
      subnets: (Array.isArray(cfg) ? cfg : []).map((c) => String(c.Subnet ?? '')).filter((s) => s.includes('/')),
    };
  });
}

export async function collectDockerNetworks(io: HostIO, timeoutMs = 3000): Promise<Fact<DockerNetwork[]>> {
  const src = 'GET /networks';
  try {
    const r = await io.dockerGet('/networks', { timeoutMs });
    if (r.status !== 200) return fail('failed', `GET /networks answered HTTP ${r.status}`, src);
    return ok(networksFromApi(JSON.parse(r.body)), src);
  } catch (e) {
    const code = e instanceof SyntaxError ? 'unparsable' : errnoCode(e);
    return fail(code, `the engine's networks could not be listed: ${(e as Error).message}`, src);
  }
}
