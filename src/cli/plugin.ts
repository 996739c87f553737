// The Docker CLI plugin protocol (docs.docker.com/engine/extend/cli_plugins): the docker CLI finds
// `docker-portdoctor` in a cli-plugins directory, asks it `docker-cli-plugin-metadata` (a JSON object on
// stdout, exit 0), and runs `docker portdoctor ARGS` as `docker-portdoctor [DOCKER GLOBAL OPTIONS] portdoctor ARGS`.
import { VERSION } from '../version.js';

export interface PluginMetadata {
  SchemaVersion: '0.1.0';
  Vendor: string;
  Version: string;
  ShortDescription: string;
  URL?: string;
}

export const PLUGIN_METADATA: PluginMetadata = {
  SchemaVersion: '0.1.0',
  Vendor: 'portdoctor',
  Version: VERSION,
  ShortDescription: 'Who really holds a host port, and why docker run -p refused it',
};

/** docker's global options that take a value and that portdoctor maps onto its own environment. */
const VALUE_OPTS: Readonly<Record<string, string | null>> = {
  '-c': 'DOCKER_CONTEXT',
  '--context': 'DOCKER_CONTEXT',
  '-H': 'DOCKER_HOST',
  '--host': 'DOCKER_HOST',
  '--config': 'DOCKER_CONFIG',
  '-l': null,
  '--log-level': null,
  '--tlscacert': null,
  '--tlscert': null,
  '--tlskey': null,
};

/**
 * Recognise a plugin call and turn it into portdoctor's own argv. `env` receives the docker global
 * options that choose the daemon (--context, --host, --config), as the docker CLI itself would use them.
 */
export function pluginArgv(
  argv: readonly string[],
  env: Record<string, string | undefined>,
): { argv: string[]; metadata: PluginMetadata | null } {
  const head = argv.slice(0, 2);
  const rest = argv.slice(2);
  if (rest[0] === 'docker-cli-plugin-metadata') return { argv: [...argv], metadata: PLUGIN_METADATA };
  // find `portdoctor` after nothing but docker global options
  const set: Array<[string, string]> = [];
  let i = 0;
  while (i < rest.length) {
    const a = rest[i] as string;
    if (a === 'portdoctor') {
      for (const [k, v] of set) env[k] = v;
      // a --host given to docker wins over the context, as in the docker CLI
      if (set.some(([k]) => k === 'DOCKER_HOST')) delete env.DOCKER_CONTEXT;
      return { argv: [...head, ...rest.slice(i + 1)], metadata: null };
    }
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if (name in VALUE_OPTS) {
      const value = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : rest[i + 1];
      if (value === undefined) break;
      const key = VALUE_OPTS[name];
      if (key) set.push([key, value]);
      i += eq > 0 && a.startsWith('--') ? 1 : 2;
    } else if (a === '-D' || a === '--debug' || a === '--tls' || a === '--tlsverify') i += 1;
    else break;
  }
  return { argv: [...argv], metadata: null };
}
