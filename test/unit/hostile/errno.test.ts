// Paths the filesystem refuses with an errno other than ENOENT (ENOTDIR, ELOOP, ENAMETOOLONG) get a
// clear error naming the input, never "internal error" (exit 4): found by a review of the CLI.
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

const d = mkdtempSync(join(tmpdir(), 'pderrno-'));
symlinkSync(join(d, 'loop2.yaml'), join(d, 'loop1.yaml'));
symlinkSync(join(d, 'loop1.yaml'), join(d, 'loop2.yaml'));
const noDaemon = { DOCKER_HOST: 'unix:///nonexistent/pd.sock' };

describe('errno paths are clear errors', () => {
  it('fix --apply / --undo with a state directory that cannot be made: exit 3, says what to do', () => {
    for (const args of [
      ['fix', '24999', '--apply', '--yes'],
      ['fix', '--undo'],
    ]) {
      const r = runCli(args, { env: { ...noDaemon, PORTDOCTOR_STATE_DIR: '/etc/hostname/x' } });
      expect(r.code, r.err).toBe(3);
      expect(r.err).toMatch(/cannot take the fix lock in \/etc\/hostname\/x \(ENOTDIR.*PORTDOCTOR_STATE_DIR/);
      expect(r.err).not.toMatch(/internal error/);
    }
  });
  it('lint of a symlink loop or an over-long name: exit 2 naming the file', () => {
    for (const f of [join(d, 'loop1.yaml'), join(d, `${'n'.repeat(5000)}.yaml`)]) {
      const r = runCli(['lint', f]);
      expect(r.code, r.err).toBe(2);
      expect(r.err).not.toMatch(/internal error/);
    }
  });
  it('collect --out into a path under a file, or an over-long name: exit 2 before collecting', () => {
    for (const out of ['/etc/hostname/x', join(d, 'n'.repeat(300))]) {
      const r = runCli(['collect', '--out', out], { env: noDaemon });
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(/--out /);
      expect(r.err).not.toMatch(/internal error/);
    }
  });
});
