import { existsSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { parse as parseYaml } from 'yaml';
import { applyFixes, buildProjects, lintBuilt, type LintConfig } from '../../compose/lint.js';
import { formatGithub, formatHuman, formatJson, formatSarif, type LintFormat } from '../../compose/format/index.js';
import { composeVars, profilesFor, projectName, type Vars } from '../../compose/inputs.js';
import type { LoadedFile, ProjectInput } from '../../compose/project.js';
import type { Snapshot } from '../../model.js';
import { VERSION } from '../../version.js';
import { readStdin } from '../io.js';
import { READ_CAPS, ReadRefused, readFileCapped } from '../../snapshot/io.js';
import { writeFixedFile } from './lint-write.js';
import { colorEnabled } from '../output.js';
import { sarifSourceRoot } from '../render/sarif-root.js';
import { UsageError } from '../target.js';

export interface LintOpts {
  file?: string[];
  profile?: string[];
  projectName?: string;
  /** one project per value: "[NAME=]FILE[,FILE…]", files merged as -f does */
  project?: string[];
  envFile?: string;
  format?: string;
  json?: boolean;
  againstHost?: boolean;
  fix?: boolean;
  write?: boolean;
  config?: string;
}

const DEFAULT_FILES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];
const OVERRIDES = [
  'compose.override.yaml',
  'compose.override.yml',
  'docker-compose.override.yaml',
  'docker-compose.override.yml',
];

/** How stdin is named in messages and reports; includes and env files in it resolve from the working directory. */
const STDIN = '<stdin>';
let stdinText: string | null = null;

/** A directory stands for the compose files docker compose would pick in it: the first base file, then its override. */
function expand(path: string): string[] {
  let isDir = false;
  try {
    isDir = path !== '-' && statSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
  } catch {
    // ELOOP, ENAMETOOLONG, EACCES: reading it as a file gives the clear error (readFileCapped names the errno)
  }
  if (!isDir) return [path];
  const base = DEFAULT_FILES.find((f) => existsSync(join(path, f)));
  if (!base)
    throw new UsageError(`${path} is a directory with no compose file (looked for ${DEFAULT_FILES.join(', ')})`);
  const over = OVERRIDES.find((f) => existsSync(join(path, f)));
  return [join(path, base), ...(over ? [join(path, over)] : [])];
}

/**
 * A compose file, capped and only when it is a regular text file: an include may name /dev/zero,
 * /proc/self/environ or /etc/shadow, and none of those may be read whole or shown. Returns null only
 * when it does not exist; a file that exists but is refused comes back with `refused` and no text.
 */
function read(path: string): LoadedFile | null {
  if (path === '-') {
    stdinText ??= readStdin('a compose file', READ_CAPS.compose);
    return { path: STDIN, text: stdinText };
  }
  const shown = relative(process.cwd(), path) || path;
  let id: string | undefined;
  try {
    id = realpathSync(path);
  } catch {
    id = undefined;
  }
  try {
    const text = readFileCapped(path, READ_CAPS.compose);
    // NUL bytes: a binary file or /proc/self/environ, never YAML
    if (text.includes('\0')) return { path: shown, text: '', id, refused: 'it is not a text file' };
    return { path: shown, text, id };
  } catch (e) {
    if (!(e instanceof ReadRefused)) throw e;
    if (e.message === 'no such file') return null;
    return { path: shown, text: '', id, refused: e.message };
  }
}

function readSmall(path: string, what: string): string {
  try {
    return readFileCapped(path, READ_CAPS.config);
  } catch (e) {
    if (e instanceof ReadRefused) throw new UsageError(`${what} ${path}: ${e.message}`);
    throw e;
  }
}

function varsFor(dir: string, envFile?: string): Vars {
  const f = envFile ?? join(dir, '.env');
  if (!existsSync(f) && envFile) throw new UsageError(`--env-file ${envFile}: no such file`);
  return composeVars(existsSync(f) ? readSmall(f, envFile ? '--env-file' : 'the variables file') : null, process.env);
}

function loadConfig(path?: string): LintConfig {
  const candidates = path ? [path] : ['.portdoctor.json', '.portdoctor.yml', '.portdoctor.yaml'];
  for (const c of candidates) {
    if (!existsSync(c)) {
      if (path) throw new UsageError(`--config ${path}: no such file`);
      continue;
    }
    try {
      const cfg = parseYaml(readSmall(c, path ? '--config' : 'the config file')) as LintConfig | null;
      for (const [rule, level] of Object.entries(cfg?.rules ?? {})) {
        if (!['off', 'warning', 'error'].includes(String(level)))
          throw new UsageError(`${c}: rule "${rule}" has level "${String(level)}"; use off, warning or error`);
      }
      return cfg ?? {};
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`${c} is not valid JSON/YAML: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return {};
}

export async function runLint(files: string[], o: LintOpts): Promise<number> {
  if (o.json && o.format && o.format !== 'human' && o.format !== 'json')
    throw new UsageError(`--json and --format ${o.format} disagree: give one of them`);
  const format = (o.json ? 'json' : (o.format ?? 'human')) as LintFormat;
  if (!['human', 'json', 'sarif', 'github'].includes(format))
    throw new UsageError(`--format "${o.format}": use human, json, sarif or github`);
  if (o.write && !o.fix) throw new UsageError('--write only writes what --fix proposes: add --fix');
  if (o.write && [...files, ...(o.file ?? [])].includes('-'))
    throw new UsageError('--write cannot write back to stdin: lint a file to have it edited, or use --fix alone');
  const config = loadConfig(o.config);
  const loader = (p: string, from: string): LoadedFile | null => read(isAbsolute(p) ? p : join(dirname(from), p));
  const inputs: ProjectInput[] = [];
  const mk = (given: string[], name?: string): ProjectInput => {
    const paths = given.flatMap(expand);
    for (const p of paths) if (p !== '-' && !existsSync(p)) throw new UsageError(`${p}: no such file`);
    const loaded = paths.map((p) => {
      const f = read(p) ?? { path: p, text: '' };
      if (f.refused) throw new UsageError(`${p}: ${f.refused}; name a compose file`);
      return f;
    });
    const first = (paths[0] === '-' ? join(process.cwd(), STDIN) : paths[0]) as string;
    const vars = varsFor(dirname(resolve(first)), o.envFile);
    return {
      name: projectName(basename(dirname(resolve(first))), loaded[0]?.text, name ?? o.projectName, vars),
      files: loaded,
      vars,
      profiles: profilesFor(o.profile, vars),
      load: loader,
    };
  };
  if (o.file?.length) inputs.push(mk(o.file));
  for (const spec of o.project ?? []) {
    const m = /^([a-z0-9][a-z0-9_-]*)=(.+)$/.exec(spec);
    const paths = (m ? (m[2] as string) : spec).split(',').filter(Boolean);
    if (!paths.length)
      throw new UsageError(`--project "${spec}": name at least one compose file ([NAME=]FILE[,FILE…])`);
    inputs.push(mk(paths, m?.[1]));
  }
  for (const f of files) inputs.push(mk([f]));
  if (!inputs.length) {
    const base = DEFAULT_FILES.find((f) => existsSync(f));
    if (!base)
      throw new UsageError(
        `no compose file here (looked for ${DEFAULT_FILES.join(', ')}); name one: portdoctor lint FILE`,
      );
    const over = OVERRIDES.find((f) => existsSync(f));
    inputs.push(mk(over ? [base, over] : [base]));
  }
  // --write edits only files inside a project's directory: that of its first compose file, as Compose has it
  const writeRoots = [
    ...new Set(
      inputs.flatMap((i) => {
        const first = i.files[0]?.path;
        if (!first || first === STDIN) return [];
        try {
          return [realpathSync(dirname(resolve(first)))];
        } catch {
          return [];
        }
      }),
    ),
  ];
  // built once: the same model names the ports to collect and is linted
  const built = buildProjects(inputs);
  let host: Snapshot | null = null;
  if (o.againstHost) {
    const ports = [
      ...new Set(
        built.projects.flatMap((p) =>
          p.services.flatMap((s) =>
            s.bindings.flatMap((b) =>
              b.hostPort === 'ephemeral'
                ? []
                : Array.from(
                    { length: Math.min(64, b.hostPort.end - b.hostPort.start + 1) },
                    (_, i) => (b.hostPort as { start: number }).start + i,
                  ),
            ),
          ),
        ),
      ),
    ];
    const { collectSnapshot } = await import('../../collect/index.js');
    const { nodeHostIO } = await import('../../collect/host-io.js');
    host = await collectSnapshot(nodeHostIO(), { ports: o.fix ? [] : ports });
    const missing = (['sockets', 'containers', 'iptablesNft', 'nft'] as const).filter((k) => !host?.[k].ok);
    if (missing.length)
      process.stderr.write(
        `portdoctor: --against-host could not read ${missing.join(', ')}; clashes there may be missed\n`,
      );
  }
  const r = lintBuilt(built, { config, host, fix: o.fix });
  if (format === 'json') process.stdout.write(`${formatJson(r)}\n`);
  else if (format === 'sarif')
    process.stdout.write(
      `${formatSarif(r, VERSION, { cwd: process.cwd(), srcRoot: sarifSourceRoot(process.cwd(), process.env) })}\n`,
    );
  else if (format === 'github') {
    const g = formatGithub(r);
    if (g) process.stdout.write(`${g}\n`);
  } else process.stdout.write(`${formatHuman(r, colorEnabled())}\n`);
  if (o.fix) {
    const fixed = applyFixes(r);
    for (const [file, text] of fixed) {
      const patch = createTwoFilesPatch(`a/${file}`, `b/${file}`, r.texts.get(file) ?? '', text);
      (format === 'human' ? process.stdout : process.stderr).write(`${patch}`);
      if (o.write) {
        writeFixedFile(file, text, writeRoots);
        process.stderr.write(`portdoctor: wrote ${file}\n`);
      }
    }
    if (!fixed.size) process.stderr.write('portdoctor: no clash with a literal host port to move\n');
  }
  return r.problems.some((p) => p.severity === 'error') ? 1 : 0;
}
