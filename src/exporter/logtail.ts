// dockerd's own log, counted: "address already in use", "port is already allocated" and userland
// proxy failures. From the file its stderr goes to (like the lab's dockerd log) or from journald,
// whichever this host has; only lines logged after the exporter started are counted.
import { statSync } from 'node:fs';
import type { HostIO } from '../collect/host-io.js';

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

export interface LogTail { readonly source: 'file' | 'journald' | 'none'; readonly where: string; poll(): Promise<Record<LogSignal, number>> }

const zero = (): Record<LogSignal, number> => ({ address_in_use: 0, port_already_allocated: 0, userland_proxy_failed: 0 });

export async function openLogTail(io: HostIO, dockerdPid: number | null): Promise<LogTail> {
  if (dockerdPid) {
    try {
      const target = io.readlink(`/proc/${dockerdPid}/fd/2`);
      if (target.startsWith('/') && statSync(target).isFile()) {
        let offset = statSync(target).size;
        return {
          source: 'file', where: target,
          async poll() {
            const c = zero();
            const size = statSync(target).size;
            if (size < offset) offset = 0; // rotated or truncated
            if (size === offset) return c;
            const { open } = await import('node:fs/promises');
            const fh = await open(target, 'r');
            try {
              const buf = Buffer.alloc(Math.min(size - offset, 16 * 1024 * 1024));
              await fh.read(buf, 0, buf.length, offset);
              offset += buf.length;
              for (const l of buf.toString('utf8').split('\n')) countLine(l, c);
            } finally { await fh.close(); }
            return c;
          },
        };
      }
    } catch { /* not a file we can read */ }
  }
  const start = await io.exec(['journalctl', '-u', 'docker.service', '-o', 'cat', '--no-pager', '--show-cursor', '-n', '0'], { timeoutMs: 3000 });
  const cur = /-- cursor: (\S+)/.exec(start.stdout)?.[1];
  if (start.code === 0 && cur) {
    let cursor = cur;
    return {
      source: 'journald', where: 'journalctl -u docker.service',
      async poll() {
        const c = zero();
        const r = await io.exec(['journalctl', '-u', 'docker.service', '-o', 'cat', '--no-pager', '--show-cursor', `--after-cursor=${cursor}`], { timeoutMs: 5000 });
        for (const l of r.stdout.split('\n')) { const m = /^-- cursor: (\S+)/.exec(l); if (m) cursor = m[1] as string; else countLine(l, c); }
        return c;
      },
    };
  }
  return { source: 'none', where: 'no dockerd log file and no journald unit found', poll: async () => zero() };
}
