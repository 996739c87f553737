// Which docker-proxy binaries this host's engines run. A process is Docker's proxy only when its
// /proc/PID/exe is one of these, never because of its name (anyone can name a process docker-proxy).
// dockerd finds docker-proxy by --userland-proxy-path (or daemon.json), else in its libexec
// directories, else on its PATH (moby daemon/config lookupBinPath); package paths are root-owned.
import type { EngineBinaries, Fact, Proc } from '../model.js';
import { errnoCode, fail, ok } from './fact.js';
import type { HostIO } from './host-io.js';
import { procPids } from './proc-pids.js';

const LIBEXEC = ['/usr/local/libexec/docker', '/usr/libexec/docker', '/usr/local/lib/docker', '/usr/lib/docker'];
const PACKAGE = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin'];

function flag(argv: readonly string[], name: string): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === `--${name}`) return argv[i + 1] ?? null;
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return null;
}

export function collectEngineBinaries(
  io: HostIO,
  dockerdPids: readonly number[],
  procs: readonly Proc[],
): Fact<EngineBinaries> {
  const out = new Map<string, string>();
  let denied: unknown = null;
  const add = (path: string | null, why: string): void => {
    if (!path || !path.startsWith('/')) return;
    try {
      const real = io.realpath(path);
      if (!out.has(real)) out.set(real, why);
    } catch (e) {
      if (errnoCode(e) === 'denied') denied = e; // else: not there
    }
  };
  const dockerds = new Set([...dockerdPids, ...procs.filter((p) => p.comm === 'dockerd').map((p) => p.pid)]);
  // every running dockerd, also those with a pidfile of their own (asked only when a stray proxy exists)
  try {
    for (const d of procPids(io)) {
      try {
        if (io.readText(`/proc/${d}/comm`).trim() === 'dockerd') dockerds.add(d);
      } catch {
        /* exited */
      }
    }
  } catch {
    /* no procfs */
  }
  for (const pid of dockerds) {
    let argv: string[] = [];
    try {
      argv = io.readText(`/proc/${pid}/cmdline`).split('\0').filter(Boolean);
    } catch {
      continue;
    }
    add(flag(argv, 'userland-proxy-path'), `dockerd pid ${pid} --userland-proxy-path`);
    try {
      const cfg = JSON.parse(io.readText(flag(argv, 'config-file') ?? '/etc/docker/daemon.json')) as Record<
        string,
        unknown
      >;
      if (typeof cfg['userland-proxy-path'] === 'string')
        add(cfg['userland-proxy-path'], `dockerd pid ${pid} daemon.json userland-proxy-path`);
    } catch {
      /* no config */
    }
    for (const d of LIBEXEC) add(`${d}/docker-proxy`, `dockerd pid ${pid} libexec lookup`);
    let path = '';
    try {
      path = /(?:^|\0)PATH=([^\0]*)/.exec(io.readText(`/proc/${pid}/environ`))?.[1] ?? '';
    } catch {
      /* not root */
    }
    for (const d of path.split(':').filter(Boolean)) add(`${d}/docker-proxy`, `on dockerd pid ${pid}'s PATH`);
  }
  // the executable of a docker-proxy that a running dockerd started is that engine's, by parentage
  for (const p of procs)
    if (p.exe && dockerds.has(p.ppid) && /\/docker-proxy$/.test(p.exe)) add(p.exe, `started by dockerd pid ${p.ppid}`);
  for (const d of [...LIBEXEC, ...PACKAGE]) add(`${d}/docker-proxy`, 'installed at a package path');
  // none found because the paths could not be looked at: every docker-proxy would pass for an impostor
  if (out.size === 0 && denied)
    return fail('denied', `cannot look for docker-proxy binaries: ${(denied as Error).message}`, 'realpath');
  return ok(
    { dockerProxy: [...out].map(([path, why]) => ({ path, why })) },
    'dockerd argv/daemon.json/PATH, package paths',
  );
}
