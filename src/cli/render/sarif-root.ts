// Which directory SARIF's %SRCROOT% stands for: GitHub resolves result URIs against the repository's
// checkout, so they must be relative to its root, not to the directory lint ran in.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** $GITHUB_WORKSPACE when lint runs inside it (Actions), else the nearest ancestor with .git, else cwd. */
export function sarifSourceRoot(cwd: string, env: Readonly<Record<string, string | undefined>>): string {
  const ws = env.GITHUB_WORKSPACE ? resolve(env.GITHUB_WORKSPACE) : null;
  if (ws && !relative(ws, cwd).startsWith('..')) return ws;
  for (let d = resolve(cwd); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return d;
    if (dirname(d) === d) return resolve(cwd);
  }
}
