// Containers of another engine on this host (rootful Podman), to name the owner of a DNAT rule in
// Podman's chains. Asked only when such a rule is in scope: the podman CLI takes a few hundred ms.
import type { Fact, ForeignContainer } from '../model.js';
import { fail, ok } from './fact.js';
import type { HostIO } from './host-io.js';

type J = Record<string, unknown>;

export function podmanPsJson(text: string): ForeignContainer[] {
  const v: unknown = JSON.parse(text.trim() || '[]');
  if (!Array.isArray(v)) throw new Error('expected a JSON array');
  return (v as J[]).map((c) => {
    const names = Array.isArray(c.Names) ? c.Names.map(String) : [String(c.Names ?? '')];
    return {
      engine: 'podman' as const,
      id: String(c.Id ?? c.ID ?? ''),
      name: names[0] ?? '',
      state: String(c.State ?? ''),
      ips: [],
    };
  });
}

export async function collectPodman(io: HostIO, timeoutMs = 5000): Promise<Fact<ForeignContainer[]>> {
  const src = 'podman ps -a --format json';
  const r = await io.exec(['podman', 'ps', '-a', '--format', 'json'], { timeoutMs });
  if (r.error === 'absent') return ok([], src, ['podman is not installed']);
  if (r.error === 'timeout') return fail('timeout', 'podman ps did not finish in time', src);
  if (r.error === 'denied') return fail('denied', 'podman ps: permission denied (cannot execute podman)', src);
  if (r.code !== 0) return fail('failed', `podman ps exited ${r.code}: ${r.stderr.trim().split('\n')[0] ?? ''}`, src);
  try {
    return ok(podmanPsJson(r.stdout), src);
  } catch (e) {
    return fail('unparsable', `podman ps output could not be parsed: ${(e as Error).message}`, src);
  }
}
