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
  it('a redacted snapshot still round-trips and holds no container env (never collected)', () => {
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
    const text = JSON.stringify(redactSnapshot(withSecret));
    expect(text).not.toContain('s3cr3t');
    expect(text).not.toMatch(/"Env"|"env":/);
    expect(parseSnapshot(text, 'x').schema).toBe('portdoctor.snapshot/1');
  });
});
