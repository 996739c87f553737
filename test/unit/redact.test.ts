import { describe, expect, it } from 'vitest';
import { redactArgv, redactSnapshot } from '../../src/snapshot/redact.js';
import { parseSnapshot } from '../../src/snapshot/io.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';

describe('collect --out redaction', () => {
  it('masks secret-looking argv values in every form, keeps the rest', () => {
    expect(
      redactArgv(['app', '--password=hunter2', '--token', 'abc', 'DB_PASSWORD=x', '--port', '8080', 'api_key=k']),
    ).toEqual(['app', '--password=***', '--token', '***', 'DB_PASSWORD=***', '--port', '8080', 'api_key=***']);
  });
  it('a redacted snapshot masks the secret, changes nothing else, and still round-trips', () => {
    const s = snapshotFromCapture('host-process');
    const withSecret = {
      ...s,
      processes: s.processes.ok
        ? {
            ...s.processes,
            value: s.processes.value.map((p) => (p.pid === 12052 ? { ...p, argv: [...p.argv, '--secret=s3cr3t'] } : p)),
          }
        : s.processes,
    };
    const redacted = redactSnapshot(withSecret);
    const text = JSON.stringify(redacted);
    expect(text).not.toContain('s3cr3t');
    const argvOf = (x: typeof s) => (x.processes.ok ? x.processes.value.find((p) => p.pid === 12052)?.argv : null);
    expect(argvOf(redacted)?.at(-1)).toBe('--secret=***');
    // only argv values are touched: every other fact is the same
    expect({ ...redacted, processes: null }).toEqual({ ...withSecret, processes: null });
    expect(parseSnapshot(text, 'x')).toEqual(redacted);
  });
});
