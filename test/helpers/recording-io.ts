// A HostIO for executor and collector tests that reads nothing from the host: it records every exec
// and answers it from the test's own function (remedy, undo-trust and nft-names tests share it).
import type { ExecResult, HostIO } from '../../src/collect/host-io.js';

export function recordingIO(
  answer: (argv: readonly string[]) => Partial<ExecResult> = () => ({}),
): HostIO & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    env: {},
    uid: 0,
    readText: () => {
      throw new Error('not in this test');
    },
    readTextAsync: () => Promise.reject(new Error('not in this test')),
    readdir: () => [],
    readlink: () => '',
    realpath: (p) => p,
    fileSize: () => null,
    readRange: () => Promise.reject(new Error('not in this test')),
    dockerGet: () => Promise.reject(new Error('not in this test')),
    dockerStream: () => Promise.reject(new Error('not in this test')),
    exec: (argv) => {
      calls.push([...argv]);
      return Promise.resolve({ code: 0, stdout: '', stderr: '', error: null, ...answer(argv) });
    },
  };
}
