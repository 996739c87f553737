// The exporter's systemd unit as shipped: systemd's own rating of its sandbox (systemd-analyze security
// --offline, systemd 252 on Debian 12) is OK or better, and the unit parses (systemd-analyze verify).
// Its capability set is measured against every collector live: test/live/systemd-caps.test.ts.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

const UNIT = join(ROOT, 'deploy/systemd/portdoctor-exporter.service');
const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe.skipIf(!hasAnalyze)('deploy/systemd/portdoctor-exporter.service', () => {
  it('systemd-analyze security --offline rates it OK (exposure below 5.0) or better', () => {
    const r = spawnSync('systemd-analyze', ['security', '--offline=yes', '--no-pager', UNIT], {
      encoding: 'utf8',
      env: { ...process.env, SYSTEMD_COLORS: '0' },
    });
    const m = /Overall exposure level for portdoctor-exporter\.service: (\d+\.\d) (\w+)/.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    expect(['OK', 'SAFE', 'PERFECT']).toContain(m?.[2]);
    expect(Number(m?.[1])).toBeLessThan(5);
  });

  it('parses cleanly: no unknown or misspelled directive', () => {
    const r = spawnSync('systemd-analyze', ['verify', '--man=no', UNIT], { encoding: 'utf8' });
    // the binary is not installed on the test machine (the .deb test installs it elsewhere): that alone may fail
    const other = r.stderr
      .split('\n')
      .filter((l) => l.trim() && !/Command \/usr\/bin\/portdoctor is not executable/.test(l));
    expect(other).toEqual([]);
  });

  it('keeps the capabilities the collectors were measured to need, and runs as root', () => {
    const unit = readFileSync(UNIT, 'utf8');
    const caps = /^CapabilityBoundingSet=(.*)$/m.exec(unit)?.[1]?.split(/\s+/).sort();
    expect(caps).toEqual(['CAP_DAC_READ_SEARCH', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_SYS_PTRACE']);
    expect(unit).not.toMatch(
      /^(User|DynamicUser|ProtectProc|ProcSubset|PrivateNetwork|PrivateUsers|MemoryDenyWriteExecute)=/m,
    );
  });
});
