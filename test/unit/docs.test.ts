// docs/rules/ and docs/causes/ are generated from the registries (npm run gen:docs): current, one page
// per rule and per cause, and every link into them (SARIF helpUri, the pages' own links) lands on a page.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { formatSarif } from '../../src/compose/format/index.js';
import { lintProjects } from '../../src/compose/lint.js';
import { composeRules, LOADER_RULES } from '../../src/compose/rules/index.js';
import { docPages, DOCS_URL } from '../../src/docs/pages.js';
import { CAUSES } from '../../src/model.js';
import { rules } from '../../src/rules/index.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const DOCS = join(ROOT, 'docs');

describe('generated docs', () => {
  it('are what npm run gen:docs makes from the registries', () => {
    const r = spawnSync(process.execPath, ['scripts/gen-docs.mjs', '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  it('have a page per host rule, lint rule and cause', () => {
    const ids = [...rules.map((r) => r.meta.id), ...composeRules.map((r) => r.meta.id), ...LOADER_RULES];
    for (const id of ids) expect(existsSync(join(DOCS, 'rules', `${id}.md`)), id).toBe(true);
    for (const c of CAUSES) expect(existsSync(join(DOCS, 'causes', `${c}.md`)), c).toBe(true);
    expect(docPages().size).toBe(ids.length + CAUSES.length + 2);
  });

  it('every SARIF helpUri points at a page that exists', () => {
    const log = JSON.parse(formatSarif(lintProjects([]), '0.1.0')) as Log;
    const uris = (log.runs[0]?.tool.driver.rules ?? []).map((r) => r.helpUri ?? '');
    expect(uris.length).toBe(composeRules.length + LOADER_RULES.length);
    for (const u of uris) {
      expect(u.startsWith(DOCS_URL), u).toBe(true);
      expect(existsSync(join(DOCS, u.slice(DOCS_URL.length))), u).toBe(true);
    }
  });

  it('every relative link in a generated page lands on a file', () => {
    for (const [path, text] of docPages()) {
      for (const m of text.matchAll(/\]\(([^)#]+\.md)\)/g)) {
        const target = join(DOCS, dirname(path), m[1] as string);
        expect(existsSync(target), `${path} → ${m[1]}`).toBe(true);
      }
    }
  });

  it('the docs README of each folder lists every page in it', () => {
    const idx = readFileSync(join(DOCS, 'rules', 'README.md'), 'utf8');
    for (const r of rules) expect(idx).toContain(`](${r.meta.id}.md)`);
  });
});
