// A fake host behind the HostIO interface (src/collect/host-io.ts), healthy by default, with one
// fault injected into one channel: every file read, every command, or every Engine API call fails
// the way a real host fails (EACCES, ENOENT, a timeout) or answers with garbage.
import type { ExecResult, HostIO, HttpResult } from '../../src/collect/host-io.js';

/** file reads do not time out: `timeout` applies to commands and the Engine API */
export type Fault = 'EACCES' | 'ENOENT' | 'timeout' | 'garbage';
export type Channel = 'fs' | 'exec' | 'api';

export interface FakeHost {
  readonly files: Readonly<Record<string, string>>;
  readonly links: Readonly<Record<string, string>>;
  /** argv joined with spaces → stdout (exit 0); a command not listed is not installed */
  readonly exec: Readonly<Record<string, string>>;
  /** Engine API path → JSON body (HTTP 200) */
  readonly api: Readonly<Record<string, string>>;
}

/** Bytes no parser should take for a table: a binary blob with a line that looks half like one. */
export const GARBAGE = '\u0000\u0001\u00ffELF garbage {{ not: [json\n  1: zz:zz yy 0A\n<html>502 Bad Gateway</html>\n';

const errno = (code: 'EACCES' | 'ENOENT' | 'ETIMEDOUT', what: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`${code}: ${what}`), { code });

export function faultIO(host: FakeHost, fault: Fault | null = null, channel: Channel | null = null): HostIO {
  const fs = channel === 'fs' ? fault : null;
  const ex = channel === 'exec' ? fault : null;
  const api = channel === 'api' ? fault : null;
  const read = (p: string): string => {
    if (fs === 'EACCES' || fs === 'ENOENT') throw errno(fs, p);
    if (fs === 'garbage') return GARBAGE;
    const v = host.files[p];
    if (v === undefined) throw errno('ENOENT', p);
    return v;
  };
  const names = (p: string): string[] => {
    const pre = p.endsWith('/') ? p : `${p}/`;
    return [
      ...new Set(
        [...Object.keys(host.files), ...Object.keys(host.links)]
          .filter((k) => k.startsWith(pre))
          .map((k) => k.slice(pre.length).split('/')[0] as string),
      ),
    ];
  };
  return {
    env: { PATH: '/usr/bin' },
    uid: 0,
    readText: read,
    readTextAsync: async (p) => read(p),
    readdir: (p) => {
      if (fs === 'EACCES' || fs === 'ENOENT') throw errno(fs, p);
      const n = names(p);
      if (n.length === 0) throw errno('ENOENT', p);
      return n;
    },
    readlink: (p) => {
      // a kernel symlink is never garbage: only file contents are
      if (fs === 'EACCES' || fs === 'ENOENT') throw errno(fs, p);
      const v = host.links[p];
      if (v === undefined) throw errno('ENOENT', p);
      return v;
    },
    realpath: (p) => {
      if (fs === 'EACCES' || fs === 'ENOENT') throw errno(fs, p);
      if (!(p in host.files)) throw errno('ENOENT', p);
      return p;
    },
    fileSize: (p) => read(p).length,
    readRange: async (p, offset, length) => read(p).slice(offset, offset + length),
    exec: async (argv): Promise<ExecResult> => {
      if (ex === 'EACCES') return { code: null, stdout: '', stderr: '', error: 'denied' };
      if (ex === 'ENOENT') return { code: null, stdout: '', stderr: '', error: 'absent' };
      if (ex === 'timeout') return { code: null, stdout: '', stderr: '', error: 'timeout' };
      const out = host.exec[argv.join(' ')];
      if (out === undefined) return { code: null, stdout: '', stderr: '', error: 'absent' };
      return { code: 0, stdout: ex === 'garbage' ? GARBAGE : out, stderr: '', error: null };
    },
    dockerGet: async (path): Promise<HttpResult> => {
      if (api === 'EACCES' || api === 'ENOENT') throw errno(api, `/var/run/docker.sock ${path}`);
      if (api === 'timeout') throw errno('ETIMEDOUT', `no answer from the Docker API for ${path}`);
      const body = host.api[path.replace(/\?.*$/, '')] ?? host.api[path];
      if (body === undefined) return { status: 404, body: '{"message":"page not found"}' };
      return { status: 200, body: api === 'garbage' ? GARBAGE : body, headers: { 'api-version': '1.41' } };
    },
    dockerStream: async () => undefined,
  };
}
