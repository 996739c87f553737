// lint --format sarif: valid SARIF 2.1.0 (the OASIS schema) that GitHub code scanning also takes
// (test/helpers/github-sarif.ts): rule help and helpUri, fingerprints, URIs relative to %SRCROOT%.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { formatSarif } from '../../../src/compose/format/index.js';
import { lintProjects } from '../../../src/compose/lint.js';
import { githubIngestionProblems } from '../../helpers/github-sarif.js';
import { validateOutput } from '../../helpers/json-schema.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const COMPOSE = [
  'services:',
  '  a:',
  '    image: x',
  '    ports: ["8080:80", "8080:81", "5432:5432"]',
  '  b:',
  '    image: x',
  '    deploy: { replicas: 2 }',
  '    ports: ["9090:80"]',
  '  c:',
  '    image: x',
  '    ports: ["${NOPE}:80"]',
  '',
].join('\n');

const sarifOf = (text: string, path = 'c.yaml', o = {}): Log =>
  JSON.parse(formatSarif(lintProjects([{ name: 'p', files: [{ path, text }], vars: {} }]), '0.1.0', o)) as Log;

describe('SARIF', () => {
  const log = sarifOf(COMPOSE);
  const results = log.runs[0]?.results ?? [];

  it('has problems of several rules to check', () => {
    expect(new Set(results.map((r) => r.ruleId)).size).toBeGreaterThanOrEqual(4);
  });

  it('fits the OASIS SARIF 2.1.0 schema', () => {
    expect(() => validateOutput('sarif', log)).not.toThrow();
  });

  it("passes GitHub's ingestion rules", () => {
    expect(githubIngestionProblems(log)).toEqual([]);
  });

  it('the checks can fail: what main printed before (no help, no fingerprints, no uriBaseId) breaks them', () => {
    const old = structuredClone(log);
    const run = old.runs[0]!;
    for (const r of run.tool.driver.rules ?? []) {
      delete r.fullDescription;
      delete r.help;
      delete r.helpUri;
    }
    for (const r of run.results ?? []) {
      delete r.partialFingerprints;
      delete r.locations![0]!.physicalLocation!.artifactLocation!.uriBaseId;
    }
    const p = githubIngestionProblems(old);
    const rules = run.tool.driver.rules!.length;
    const n = run.results!.length;
    expect(p.filter((x) => x.includes('fullDescription'))).toHaveLength(rules);
    expect(p.filter((x) => x.includes('helpUri'))).toHaveLength(rules);
    expect(p.filter((x) => x.includes('partialFingerprints'))).toHaveLength(n);
    expect(p.filter((x) => x.includes('uriBaseId'))).toHaveLength(n);
    const abs = structuredClone(log);
    abs.runs[0]!.results![0]!.locations![0]!.physicalLocation!.artifactLocation = { uri: 'file:///home/me/c.yaml' };
    expect(githubIngestionProblems(abs)).toEqual([expect.stringMatching(/absolute/)]);
    // and the schema refuses what SARIF forbids
    expect(() => validateOutput('sarif', { ...log, version: '2.0.0' })).toThrow();
  });

  it('every rule links its docs page and carries help as text and markdown', () => {
    for (const r of log.runs[0]?.tool.driver.rules ?? []) {
      expect(r.helpUri).toBe(`https://github.com/portdoctor/portdoctor/blob/main/docs/rules/${r.id}.md`);
      expect(r.help?.markdown).toContain(r.helpUri);
    }
  });

  it('fingerprints follow the problem, not its line number, and tell problems apart', () => {
    const shifted = sarifOf(`# a comment\n\n${COMPOSE}`);
    const fp = (l: Log) => (l.runs[0]?.results ?? []).map((r) => r.partialFingerprints?.primaryLocationLineHash);
    expect(fp(shifted)).toEqual(fp(log));
    expect(shifted.runs[0]?.results?.[0]?.locations?.[0]?.physicalLocation?.region?.startLine).toBe(
      (results[0]?.locations?.[0]?.physicalLocation?.region?.startLine ?? 0) + 2,
    );
    expect(new Set(fp(log)).size).toBe(results.length);
  });

  it('URIs are relative to the repository root (%SRCROOT%), from whatever directory lint runs in', () => {
    const repo = mkdtempSync(join(tmpdir(), 'pd-sarif-'));
    mkdirSync(join(repo, '.git'));
    mkdirSync(join(repo, 'deploy', 'my app'), { recursive: true });
    writeFileSync(join(repo, 'deploy', 'my app', 'compose.yml'), COMPOSE);
    const cli = join(ROOT, 'dist/cli.js');
    const run = (cwd: string, file: string, env: NodeJS.ProcessEnv = {}): Log => {
      const r = spawnSync(process.execPath, [cli, 'lint', '--format', 'sarif', file], {
        cwd,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, NO_COLOR: '1', ...env },
      });
      expect(r.stderr).toBe('');
      return validateOutput<Log>('sarif', JSON.parse(r.stdout));
    };
    const uris = (l: Log) =>
      new Set(
        (l.runs[0]?.results ?? []).map((r) => {
          const a = r.locations?.[0]?.physicalLocation?.artifactLocation;
          return `${a?.uriBaseId} ${a?.uri}`;
        }),
      );
    const want = new Set(['%SRCROOT% deploy/my%20app/compose.yml']);
    expect(uris(run(repo, 'deploy/my app/compose.yml'))).toEqual(want);
    expect(uris(run(join(repo, 'deploy', 'my app'), 'compose.yml'))).toEqual(want);
    expect(uris(run(join(repo, 'deploy'), 'my app'))).toEqual(want);
    // in GitHub Actions the checkout is $GITHUB_WORKSPACE
    expect(uris(run(join(repo, 'deploy'), 'my app/compose.yml', { GITHUB_WORKSPACE: join(repo, 'deploy') }))).toEqual(
      new Set(['%SRCROOT% my%20app/compose.yml']),
    );
    expect(githubIngestionProblems(run(join(repo, 'deploy'), 'my app'))).toEqual([]);
  });
});
