// Pack portdoctor as a release would: a copy of the checkout (tracked and new files, not dist/ or
// node_modules), `npm pack` there so `prepack` builds dist/ from scratch. The worktree's own dist/ is left
// alone: other test files run it at the same time.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname;

/** Environment for npm that cannot reach any registry: installs must work from the tarball alone. */
export const offlineNpmEnv = (home: string): NodeJS.ProcessEnv => ({
  ...process.env,
  PORTDOCTOR_TEST: '1',
  HOME: home,
  npm_config_cache: join(home, 'npm-cache'),
  npm_config_registry: 'http://127.0.0.1:9/',
  npm_config_offline: 'true',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
});

/** A copy of the checkout in `dir`/src (tracked and new files, not dist/), node_modules linked: builds run there. */
export function copyCheckout(dir: string): string {
  const src = join(dir, 'src');
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f && !f.startsWith('dist/'));
  for (const f of files) {
    mkdirSync(join(src, dirname(f)), { recursive: true });
    try {
      cpSync(join(ROOT, f), join(src, f));
    } catch {
      // a file deleted in the work tree but not yet in git
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'));
  return src;
}

export function packRelease(): { dir: string; tgz: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pdpack-'));
  const src = copyCheckout(dir);
  const out = join(dir, 'out');
  mkdirSync(out);
  execFileSync('npm', ['pack', '--pack-destination', out, '--loglevel=error'], {
    cwd: src,
    env: offlineNpmEnv(dir),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const tgz = readdirSync(out).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error(`npm pack wrote no tarball in ${out}`);
  return { dir, tgz: join(out, tgz) };
}
