// /proc/<pid>/cgroup → container id and systemd unit. Handles cgroup v1 (`/docker/<id>`),
// v2 with the systemd driver (`docker-<id>.scope`) and Podman (`libpod-<id>.scope`).

export interface CgroupInfo {
  readonly containerId: string | null;
  readonly runtime: 'docker' | 'podman' | null;
  readonly unit: string | null;
  /** the most telling line, kept for evidence */
  readonly line: string;
}

export function parseCgroup(text: string): CgroupInfo {
  const lines = text.split('\n').filter(Boolean);
  let containerId: string | null = null;
  let runtime: CgroupInfo['runtime'] = null;
  let unit: string | null = null;
  let line = lines.find((l) => l.startsWith('0::')) ?? lines.find((l) => l.includes('name=systemd')) ?? lines[0] ?? '';
  for (const l of lines) {
    const d = /(?:\/docker\/|docker-)([0-9a-f]{64})/.exec(l);
    if (d && d[1]) {
      containerId = d[1];
      runtime = 'docker';
      line = l;
      break;
    }
    const p = /libpod-(?:conmon-)?([0-9a-f]{64})/.exec(l);
    if (p && p[1]) {
      containerId = p[1];
      runtime = 'podman';
      line = l;
      break;
    }
  }
  for (const l of lines) {
    if (!(l.startsWith('0::') || l.includes('name=systemd'))) continue;
    const u = /\/([^/]+\.service)(?:\/|$)/.exec(l);
    if (u && u[1] && !u[1].startsWith('user@')) {
      unit = u[1];
      break;
    }
  }
  return { containerId, runtime, unit, line };
}
