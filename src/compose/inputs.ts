// What Compose takes from outside the files, decided as Compose decides it: the variables (the
// environment over the project's .env), the profiles (--profile, else COMPOSE_PROFILES) and the
// project name (-p, else COMPOSE_PROJECT_NAME, else `name:`, else the directory). Pure: the CLI
// reads the files, the differential test against `docker compose config` calls the same functions.
import { parseDotEnv } from './interpolate.js';

export type Vars = Record<string, string | undefined>;

/** the environment wins over .env; .env values may reference the environment and earlier keys */
export function composeVars(dotenv: string | null, env: Vars): Vars {
  return { ...(dotenv === null ? {} : parseDotEnv(dotenv, env)), ...env };
}

/** -p, then COMPOSE_PROJECT_NAME (environment, then .env), then the first file's `name:`, then the directory */
export function projectName(
  dirName: string,
  firstText: string | undefined,
  explicit: string | undefined,
  vars: Vars,
): string {
  const m = firstText ? /^name:\s*["']?([\w.-]+)/m.exec(firstText) : null;
  const name = explicit || vars.COMPOSE_PROJECT_NAME || m?.[1] || dirName;
  return name.toLowerCase().replace(/[^a-z0-9_-]/g, '');
}

/** --profile when given, else COMPOSE_PROFILES (environment, then .env), comma-separated */
export function profilesFor(flag: readonly string[] | undefined, vars: Vars): string[] {
  if (flag?.length) return [...flag];
  return (vars.COMPOSE_PROFILES ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
}
