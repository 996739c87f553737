// The any-state view of the asked ports from the kernel-filtered `ss -a` (what diagnose reads on a busy
// host) must be the very list the whole /proc/net tables give (what it read before, and still reads on a
// quiet host): recorded at one moment on a real kernel (test/fixtures/socket-views/README.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ExecResult, HostIO } from '../../src/collect/host-io.js';
import { collectPortSockets } from '../../src/collect/probe.js';
import { collectSocketsView } from '../../src/collect/sockets.js';

const DIR = join(import.meta.dirname, '../fixtures/socket-views');
const PORT = 24571;
const read = (f: string): string => readFileSync(join(DIR, f), 'utf8');

function recordedHost(sockstat: string): HostIO & { execs: string[][] } {
  const files: Record<string, string> = {
    '/proc/net/tcp': read('proc-net-tcp'),
    '/proc/net/tcp6': read('proc-net-tcp6'),
    '/proc/net/udp': read('proc-net-udp'),
    '/proc/net/udp6': read('proc-net-udp6'),
    '/proc/net/sockstat': sockstat,
  };
  const execs: string[][] = [];
  const text = (p: string): string => {
    const t = files[p];
    if (t === undefined) throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
    return t;
  };
  return {
    execs,
    env: {},
    uid: 0,
    readText: text,
    readTextAsync: async (p) => text(p),
    readdir: () => [],
    readlink: (p) => {
      throw Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
    },
    realpath: (p) => p,
    fileSize: () => null,
    readRange: async () => '',
    exec: async (argv): Promise<ExecResult> => {
      execs.push([...argv]);
      return argv[0] === 'ss'
        ? { code: 0, stdout: read('ss-a.txt'), stderr: '', error: null }
        : { code: null, stdout: '', stderr: '', error: 'absent' };
    },
    dockerGet: async () => Promise.reject(new Error('no API here')),
    dockerStream: async () => undefined,
  };
}

const busy = 'sockets: used 12000\nTCP: inuse 10000 orphan 0 tw 3\nUDP: inuse 2000\n';
const norm = (xs: readonly object[]): string[] => xs.map((x) => JSON.stringify(x)).sort();

describe('the any-state sockets of the asked port', () => {
  it('from ss -a with a port filter are those of the whole /proc/net tables, state for state', async () => {
    const io = recordedHost(busy);
    const view = await collectSocketsView(io, new Set([PORT]));
    expect(io.execs.map((a) => a[0])).toEqual(['ss']);
    expect(view.anyState).not.toBeNull();
    const fromSs = await collectPortSockets(io, new Set([PORT]), null, 1000, view.anyState);
    const fromProc = await collectPortSockets(io, new Set([PORT]), null, 1000, null);
    expect(norm(fromSs.sockets)).toEqual(norm(fromProc.sockets));
    expect(new Set(fromProc.sockets.map((s) => `${s.proto} ${s.state}`))).toEqual(
      new Set(['tcp LISTEN', 'tcp TIME-WAIT', 'udp ESTABLISHED', 'udp UNCONN']),
    );
    expect(fromSs.looked.join(' ')).toMatch(/every state/);
  });

  it('a quiet host reads /proc/net and has no ss view, so the probe reads the tables itself', async () => {
    const io = recordedHost('TCP: inuse 12\nUDP: inuse 3\n');
    const view = await collectSocketsView(io, new Set([PORT]));
    expect(view.anyState).toBeNull();
    expect(view.listening.ok && view.listening.value.map((s) => s.inode).sort()).toEqual(
      [106280, 106281, 105149, 106282, 106283].sort(),
    );
  });
});
