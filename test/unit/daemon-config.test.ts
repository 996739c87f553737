// readDaemonConfig finds the dockerd to read (argv, config file, PATH, its log) from its pidfile, and
// for a dockerd started with its own --pidfile (as the test command starts Docker 28) from the owner of
// the listening API socket DOCKER_HOST names. A fake /proc, shaped like the real one.
import { describe, expect, it } from 'vitest';
import { readDaemonConfig } from '../../src/collect/docker.js';
import type { HostIO } from '../../src/collect/host-io.js';

const UNIX = `Num       RefCount Protocol Flags    Type St Inode Path
0000000000000000: 00000002 00000000 00010000 0001 01 4242 /run/pd/docker28.sock
0000000000000000: 00000003 00000000 00000000 0001 03 4243 /run/pd/docker28.sock
0000000000000000: 00000002 00000000 00010000 0001 01 5151 /var/run/other.sock
`;

function fakeIO(files: Record<string, string>, links: Record<string, string>, env: Record<string, string>): HostIO {
  const enoent = (p: string) => Object.assign(new Error(`ENOENT ${p}`), { code: 'ENOENT' });
  return {
    env,
    uid: 0,
    readText: (p) => {
      if (p in files) return files[p] as string;
      throw enoent(p);
    },
    readTextAsync: async (p) => {
      if (p in files) return files[p] as string;
      throw enoent(p);
    },
    readdir: (p) => {
      const pre = p.endsWith('/') ? p : `${p}/`;
      const names = new Set(
        [...Object.keys(files), ...Object.keys(links)]
          .filter((k) => k.startsWith(pre))
          .map((k) => k.slice(pre.length).split('/')[0] as string),
      );
      if (names.size === 0) throw enoent(p);
      return [...names];
    },
    readlink: (p) => {
      if (p in links) return links[p] as string;
      throw enoent(p);
    },
    realpath: (p) => p,
    fileSize: (p) => (p in files ? (files[p] as string).length : null),
    readRange: async (p, offset, length) => (files[p] ?? '').slice(offset, offset + length),
    exec: async () => ({ code: null, stdout: '', stderr: '', error: 'absent' }),
    dockerGet: async () => Promise.reject(new Error('no API here')),
    dockerStream: async () => undefined,
  };
}

const proc = {
  '/proc/net/unix': UNIX,
  '/proc/1/comm': 'init\n',
  '/proc/77/comm': 'dockerd\n',
  '/proc/77/cmdline': 'dockerd\0--userland-proxy=false\0--pidfile\0/run/pd/docker28-daemon.pid\0',
  '/proc/77/environ': 'PATH=/opt/bin28:/usr/sbin\0',
  '/proc/88/comm': 'dockerd\n',
  '/proc/88/cmdline': 'dockerd\0',
};
const links = {
  '/proc/1/fd/3': 'socket:[4242]', // not a dockerd: never looked at
  '/proc/77/fd/0': '/dev/null',
  '/proc/77/fd/5': 'socket:[4242]',
  '/proc/88/fd/5': 'socket:[5151]',
};

describe('readDaemonConfig: which dockerd', () => {
  it('no live pidfile: the dockerd holding the listening socket DOCKER_HOST names', () => {
    const c = readDaemonConfig(fakeIO(proc, links, { DOCKER_HOST: 'unix:///run/pd/docker28.sock' }));
    expect(c.dockerdPids).toEqual([77]);
    expect(c.userlandProxy).toBe(false);
  });

  it('the pidfile wins when it names a live dockerd', () => {
    const c = readDaemonConfig(
      fakeIO({ ...proc, '/var/run/docker.pid': '88\n' }, links, { DOCKER_HOST: 'unix:///run/pd/docker28.sock' }),
    );
    expect(c.dockerdPids).toEqual([88]);
    expect(c.userlandProxy).toBeNull();
  });

  it('nobody listens on that socket: no dockerd, not a guess', () => {
    const c = readDaemonConfig(fakeIO(proc, links, { DOCKER_HOST: 'unix:///run/pd/nothing.sock' }));
    expect(c.dockerdPids).toEqual([]);
  });
});
