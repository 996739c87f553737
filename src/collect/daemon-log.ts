// dockerd's own log, counted: "address already in use", "port is already allocated" and userland
// proxy failures. From the file its stderr goes to (like the lab's dockerd log) or from journald,
// whichever this host has; only lines logged after the reader opened are seen. Read for the
// exporter's counters and for watch's failed starts, through HostIO like every collector.
import type { HostIO } from './host-io.js';

export const LOG_SIGNALS = {
  address_in_use: /address already in use/i,
  port_already_allocated: /port is already allocated/i,
  userland_proxy_failed: /(?:error|failed to) start(?:ing)? (?:the )?userland proxy/i,
} as const;
export type LogSignal = keyof typeof LOG_SIGNALS;

/** one failure is logged twice by dockerd (a warning, then the API handler's error): count the error */
export function countLine(line: string, into: Record<LogSignal, number>): void {
  if (/\blevel=/.test(line) && !/\blevel=error\b/.test(line)) return;
  for (const [k, re] of Object.entries(LOG_SIGNALS) as [LogSignal, RegExp][]) if (re.test(line)) into[k]++;
}

export interface LogLines {
  readonly source: 'file' | 'journald' | 'none';
  readonly where: string;
  poll(): Promise<string[]>;
}
export interface LogTail {
  readonly source: 'file' | 'journald' | 'none';
  readonly where: string;
  poll(): Promise<Record<LogSignal, number>>;
}

const zero = (): Record<LogSignal, number> => ({
  address_in_use: 0,
  port_already_allocated: 0,
  userland_proxy_failed: 0,
});

function sizeOrNull(io: HostIO, path: string): number | null {
  try {
    return io.fileSize(path);
  } catch {
    return null;
  }
}

/** New dockerd log lines since the last poll (or since opening): its stderr file, else journald. */
export async function openLogLines(io: HostIO, dockerdPid: number | null): Promise<LogLines> {
  if (dockerdPid) {
    try {
      const fd2 = `/proc/${dockerdPid}/fd/2`;
      const link = io.readlink(fd2);
      let target = link;
      let size0 = link.startsWith('/') ? sizeOrNull(io, link) : null;
      // in a container with the host's pid namespace (deploy/compose) the host path is not mounted, but
      // the fd's magic link still opens dockerd's very file
      if (size0 === null && link.startsWith('/')) {
        size0 = sizeOrNull(io, fd2);
        if (size0 !== null) target = fd2;
      }
      if (size0 !== null) {
        let offset = size0;
        let partial = '';
        return {
          source: 'file',
          where: target === link ? link : `${link} (through ${fd2})`,
          async poll() {
            const size = io.fileSize(target) ?? 0;
            if (size < offset) offset = 0; // rotated or truncated
            if (size === offset) return [];
            const length = Math.min(size - offset, 16 * 1024 * 1024);
            const text = await io.readRange(target, offset, length);
            offset += length;
            const lines = (partial + text).split('\n');
            partial = lines.pop() ?? '';
            return lines;
          },
        };
      }
    } catch {
      /* not a file we can read */
    }
  }
  const start = await io.exec(
    ['journalctl', '-u', 'docker.service', '-o', 'cat', '--no-pager', '--show-cursor', '-n', '0'],
    { timeoutMs: 3000 },
  );
  const cur = /-- cursor: (\S+)/.exec(start.stdout)?.[1];
  if (start.code === 0 && cur) {
    let cursor = cur;
    return {
      source: 'journald',
      where: 'journalctl -u docker.service',
      async poll() {
        const r = await io.exec(
          [
            'journalctl',
            '-u',
            'docker.service',
            '-o',
            'cat',
            '--no-pager',
            '--show-cursor',
            `--after-cursor=${cursor}`,
          ],
          { timeoutMs: 5000 },
        );
        const out: string[] = [];
        for (const l of r.stdout.split('\n')) {
          const m = /^-- cursor: (\S+)/.exec(l);
          if (m) cursor = m[1] as string;
          else if (l) out.push(l);
        }
        return out;
      },
    };
  }
  return { source: 'none', where: 'no dockerd log file and no journald unit found', poll: async () => [] };
}

export async function openLogTail(io: HostIO, dockerdPid: number | null): Promise<LogTail> {
  const lines = await openLogLines(io, dockerdPid);
  return {
    source: lines.source,
    where: lines.where,
    async poll() {
      const c = zero();
      for (const l of await lines.poll()) countLine(l, c);
      return c;
    },
  };
}

/**
 * dockerd's API handler line for a failed start: "Handler for POST /v1.41/containers/<id or name>/start
 * returned error: <msg>" (the path carries whatever the client named the container by).
 */
export function failedStartLine(line: string): { id: string; error: string } | null {
  const m = /Handler for POST \/(?:v[\d.]+\/)?containers\/([\w.-]+)\/start returned error: (.*?)"?$/.exec(line);
  return m ? { id: m[1] as string, error: (m[2] as string).replace(/\\"/g, '"') } : null;
}
