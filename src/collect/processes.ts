// Who holds each socket: walk /proc/<pid>/fd for `socket:[inode]` links. This is what `ss -p`
// and `lsof` do; done here so neither needs to be installed. Stops as soon as every wanted inode
// has an owner, so a single-port question touches few processes on a busy host.
import type { Fact, Proc, Socket } from '../model.js';
import { errnoCode, fail, ok } from './fact.js';
import type { HostIO } from './host-io.js';
import { parseCgroup } from './parse/cgroup.js';
import { privilegeHint } from './privilege.js';
import { procPids } from './proc-pids.js';

/** descriptors above which a process is looked through after the others */
const BIG = 128;

export interface OwnerScan {
  readonly sockets: Socket[];
  readonly processes: Fact<Proc[]>;
}

function readProc(io: HostIO, pid: number): Proc | null {
  try {
    const status = io.readText(`/proc/${pid}/status`);
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    const uid = /^Uid:\s+(\d+)/m.exec(status);
    const comm = io.readText(`/proc/${pid}/comm`).trim();
    const argv = io
      .readText(`/proc/${pid}/cmdline`)
      .split('\0')
      .filter((x, i, a) => x !== '' || i < a.length - 1);
    let cg = { containerId: null as string | null, unit: null as string | null, line: '' };
    try {
      cg = parseCgroup(io.readText(`/proc/${pid}/cgroup`));
    } catch {
      /* kernel threads, races */
    }
    let netns: string | null = null;
    try {
      netns = io.readlink(`/proc/${pid}/ns/net`);
    } catch {
      /* not root */
    }
    // what it runs, not what it is called: a docker-proxy is Docker's only if its exe is (src/owners/)
    let exe: string | null = null;
    try {
      exe = io.readlink(`/proc/${pid}/exe`);
    } catch {
      /* not root, or a kernel thread */
    }
    return {
      pid,
      ppid,
      comm,
      argv,
      uid: uid ? Number(uid[1]) : null,
      containerId: cg.containerId,
      cgroup: cg.line,
      netns,
      unit: cg.unit,
      exe,
    };
  } catch {
    return null; // the process exited while we looked
  }
}

/**
 * Fill `pids` of each socket and return the owning processes plus their parents (a docker-proxy's
 * parent tells whether dockerd still owns it). `extraPids` are always described (dockerd).
 */
export function scanOwners(io: HostIO, sockets: readonly Socket[], extraPids: readonly number[] = []): OwnerScan {
  const wanted = new Map<number, number[]>();
  for (const s of sockets) if (s.inode > 0) wanted.set(s.inode, []);
  let pids: number[];
  try {
    pids = procPids(io);
  } catch (e) {
    return {
      sockets: [...sockets],
      processes: fail(errnoCode(e), `cannot list /proc: ${(e as Error).message}`, '/proc'),
    };
  }
  let remaining = wanted.size;
  let denied = 0;
  const walk = (pid: number, fds: readonly string[]): void => {
    for (const fd of fds) {
      let link: string;
      try {
        link = io.readlink(`/proc/${pid}/fd/${fd}`);
      } catch (e) {
        // the fd directory can be listable (CAP_DAC_READ_SEARCH) while its links are not (CAP_SYS_PTRACE)
        if ((e as NodeJS.ErrnoException).code === 'EACCES') {
          denied++;
          return;
        }
        continue;
      }
      if (!link.startsWith('socket:[')) continue;
      const ino = Number(link.slice(8, -1));
      const owners = wanted.get(ino);
      if (!owners) continue;
      if (owners.length === 0) remaining--;
      if (!owners.includes(pid)) owners.push(pid);
    }
  };
  // Each readlink costs ~9 µs in the kernel, so a process with thousands of descriptors (dockerd,
  // containerd, a database) costs more to look through than a hundred small ones: those are put off
  // and walked last, fewest first. Every process is still walked until all sockets have an owner.
  const later: { pid: number; fds: string[] }[] = [];
  for (const pid of pids) {
    if (remaining === 0) break;
    let fds: string[];
    try {
      fds = io.readdir(`/proc/${pid}/fd`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EACCES') denied++;
      continue;
    }
    if (fds.length > BIG) later.push({ pid, fds });
    else walk(pid, fds);
  }
  later.sort((a, b) => a.fds.length - b.fds.length || a.pid - b.pid);
  for (const { pid, fds } of later) {
    if (remaining === 0) break;
    walk(pid, fds);
  }
  const ownerPids = new Set<number>([...wanted.values()].flat());
  const procs = new Map<number, Proc>();
  for (const pid of [...ownerPids, ...extraPids]) {
    const p = readProc(io, pid);
    if (p) procs.set(pid, p);
  }
  // parents, one level: enough to tell dockerd's children and containerd-shim's
  for (const p of [...procs.values()]) {
    if (p.ppid > 0 && !procs.has(p.ppid)) {
      const pp = readProc(io, p.ppid);
      if (pp) procs.set(pp.pid, pp);
    }
  }
  // a copy of exactly its length: the array pushed into above has room for 17 pids (V8 grows an empty
  // array by 16 at its first push), ~150 bytes per socket of a busy host's 24,000 for one pid each
  const withPids = sockets.map((s) => ({ ...s, pids: wanted.get(s.inode)?.slice() ?? [] }));
  const notes: string[] = [];
  if (denied > 0 && remaining > 0) {
    notes.push(
      `${io.uid === 0 ? 'denied' : 'not root'}: ${denied} processes' file descriptors could not be read, so ${remaining} socket(s) have no known owner (${privilegeHint(io, ['CAP_SYS_PTRACE', 'CAP_DAC_READ_SEARCH'])})`,
    );
  }
  return {
    sockets: withPids,
    processes: ok([...procs.values()], '/proc/<pid>/{fd,status,comm,cmdline,cgroup,ns/net,exe}', notes),
  };
}
