// Which daemon the docker CLI would talk to: DOCKER_HOST, else the context named by DOCKER_CONTEXT, else the
// config's currentContext (`docker context use`). The docker CLI keeps a context's endpoint in
// $DOCKER_CONFIG/contexts/meta/<sha256 of its name>/meta.json; "default" means the default socket.
import { createHash } from 'node:crypto';
import { join } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

export interface ContextHost {
  /** the DOCKER_HOST-style address (unix:///…, tcp://…), or null for the default socket */
  readonly host: string | null;
  /** the context it came from, for messages; null when DOCKER_HOST or no context decided */
  readonly context: string | null;
  /** why a named context could not be used */
  readonly error: string | null;
}

export function dockerConfigDir(env: Env): string {
  return env.DOCKER_CONFIG || join(env.HOME || '/root', '.docker');
}

/** `read` is readFileSync(path, 'utf8') on the real host; it throws when the file is missing. */
export function contextHost(env: Env, read: (path: string) => string): ContextHost {
  if (env.DOCKER_HOST) return { host: env.DOCKER_HOST, context: null, error: null };
  const dir = dockerConfigDir(env);
  let name = env.DOCKER_CONTEXT || null;
  if (!name) {
    try {
      const cfg = JSON.parse(read(join(dir, 'config.json'))) as { currentContext?: unknown };
      if (typeof cfg.currentContext === 'string' && cfg.currentContext) name = cfg.currentContext;
    } catch {
      // no config, or one that is not JSON: the docker CLI then uses the default context too
    }
  }
  if (!name || name === 'default') return { host: null, context: name, error: null };
  const meta = join(dir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'), 'meta.json');
  try {
    const m = JSON.parse(read(meta)) as { Endpoints?: { docker?: { Host?: unknown } } };
    const host = m.Endpoints?.docker?.Host;
    if (typeof host === 'string' && host) return { host, context: name, error: null };
    return { host: null, context: name, error: `docker context "${name}" has no docker endpoint (${meta})` };
  } catch {
    return {
      host: null,
      context: name,
      error: `docker context "${name}" not found (no ${meta}; see docker context ls)`,
    };
  }
}
