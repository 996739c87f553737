// Live-test set-ups on the real dockerd, iptables and nft of this machine. Safety (DEVELOPERS.md):
// ports 20000-29999 only, containers labelled portdoctor.test=1, host processes carry
// PORTDOCTOR_TEST=1, firewall rules carry the comment portdoctor-test; everything is removed by
// id / pid / exact spec / handle in cleanup(), never by name pattern or by flushing a table.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINE_ID } from './engine-expect.js';
import { checkCliOutput } from '../helpers/json-schema.js';

export { ENGINE, ENGINE_ID, type EngineExpect, type EngineId } from './engine-expect.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin/portdoctor');
export const IMAGE = process.env.PORTDOCTOR_TEST_IMAGE ?? 'portdoctor-test-bb:latest';
export const LABEL = 'portdoctor.test=1';
export const TAG = 'portdoctor-test';
const PATH = `${process.env.PATH ?? ''}:/usr/sbin:/sbin`;
const ENGINES_DIR = process.env.PORTDOCTOR_ENGINES_DIR ?? '/var/lib/portdoctor-test/engines';
/** Compose v2 (docker-compose 2.40.3 from Debian sid, unpacked by scripts/engines.sh), or null */
export const COMPOSE_V2: string | null =
  process.env.PORTDOCTOR_TEST_COMPOSE_V2 ??
  [`${ENGINES_DIR}/docker-compose-2.40.3/usr/libexec/docker/cli-plugins/docker-compose`].find((p) => existsSync(p)) ??
  null;

export function sh(
  argv: string[],
  opts: { allowFail?: boolean; input?: string } = {},
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(argv[0] as string, argv.slice(1), {
    encoding: 'utf8',
    env: { ...process.env, PATH },
    input: opts.input,
    timeout: 60_000,
  });
  const out = { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  if (!opts.allowFail && out.code !== 0)
    throw new Error(`${argv.join(' ')} exited ${out.code}: ${out.stderr || out.stdout}`);
  return out;
}

export function dockerReady(): string | null {
  const r = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) return `no dockerd: ${(r.stderr || '').trim().split('\n')[0]}`;
  const i = spawnSync('docker', ['image', 'inspect', IMAGE], { encoding: 'utf8' });
  if (i.status !== 0) return `test image ${IMAGE} missing (run scripts/test-env.sh)`;
  if (ENGINE_ID === null)
    return `dockerd ${r.stdout.trim()} has no row in test/live/engine-expect.ts (PORTDOCTOR_TEST_ENGINE=${process.env.PORTDOCTOR_TEST_ENGINE ?? ''})`;
  return null;
}

/** Each live test file takes its own small block of ports so files never collide. */
export function portBlock(index: number): (n: number) => number {
  return (n) => 20000 + index * 100 + n;
}

export interface Diag {
  code: number;
  json: {
    verdict: { cause: string; confidence: string; summary: string };
    holders: Array<Record<string, unknown>>;
    findings: Array<{ rule: string; cause: string; severity: string }>;
    inconclusive: unknown[];
    remedies: Array<Record<string, unknown>>;
  };
  stderr: string;
}

export function portdoctor(
  args: string[],
  env: Record<string, string> = {},
): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(BIN, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  // every --json output of a live run must fit the schema the package ships (schemas/)
  checkCliOutput(args, r.stdout ?? '');
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

export function diagnoseJson(target: string, extra: string[] = [], env: Record<string, string> = {}): Diag {
  const r = portdoctor(['diagnose', ...(target ? [target] : []), '--json', ...extra], env);
  let json: Diag['json'];
  try {
    json = JSON.parse(r.stdout) as Diag['json'];
  } catch {
    throw new Error(`diagnose ${target} printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, json, stderr: r.stderr };
}

/** Tracks everything a test made, and removes exactly that. */
export class Lab {
  private containers: string[] = [];
  private procs: ChildProcess[] = [];
  private undo: Array<() => void> = [];
  private dirs: string[] = [];

  /** docker run -d (labelled); returns the container id, or throws with docker's stderr */
  run(args: string[], cmd: string[] = []): string {
    const r = sh(['docker', 'run', '-d', '--label', LABEL, ...args, IMAGE, ...cmd], { allowFail: true });
    const id = r.stdout.trim().split('\n').pop() ?? '';
    if (/^[0-9a-f]{64}$/.test(id)) this.containers.push(id); // a failed run leaves a Created container
    if (r.code !== 0) throw Object.assign(new Error(r.stderr.trim()), { stderr: r.stderr, id });
    return id;
  }

  /** docker run that is expected to fail: returns its stderr */
  runFails(args: string[]): string {
    try {
      this.run(args);
    } catch (e) {
      return (e as { stderr?: string }).stderr ?? String(e);
    }
    throw new Error(`docker run ${args.join(' ')} unexpectedly succeeded`);
  }

  create(args: string[]): string {
    const id = sh(['docker', 'create', '--label', LABEL, ...args, IMAGE]).stdout.trim();
    this.containers.push(id);
    return id;
  }

  adoptContainer(id: string): void {
    this.containers.push(id);
  }

  inspect(id: string, fmt: string): string {
    return sh(['docker', 'inspect', '-f', fmt, id]).stdout.trim();
  }

  /** a host process holding a socket; marked PORTDOCTOR_TEST=1 */
  async hold(o: {
    proto: 'tcp' | 'udp';
    host: string;
    port: number;
    v6only?: boolean;
    comm?: string;
    /** UDP: set SO_REUSEADDR, as systemd-resolved does on its stub (node sets it on every TCP listener) */
    reuseAddr?: boolean;
  }): Promise<number> {
    const code =
      o.proto === 'tcp'
        ? `require('net').createServer(c=>c.end('held\\n')).listen({host:${JSON.stringify(o.host)},port:${o.port}${o.v6only !== undefined ? `,ipv6Only:${o.v6only}` : ''}},()=>console.log('ready'))`
        : `const s=require('dgram').createSocket({type:${JSON.stringify(o.host.includes(':') ? 'udp6' : 'udp4')}${o.v6only !== undefined ? `,ipv6Only:${o.v6only}` : ''}${o.reuseAddr ? ',reuseAddr:true' : ''}});s.bind(${o.port},${JSON.stringify(o.host)},()=>console.log('ready'))`;
    let exe = process.execPath;
    if (o.comm) {
      // the kernel names a process after the file it executed: a symlink gives it `comm`
      const d = mkdtempSync(join(tmpdir(), 'pdtest-'));
      this.dirs.push(d);
      exe = join(d, o.comm);
      symlinkSync(process.execPath, exe);
    }
    const child = spawn(exe, ['-e', `${code};setInterval(()=>{},1e6)`], {
      env: { ...process.env, PORTDOCTOR_TEST: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: false,
    });
    this.procs.push(child);
    await new Promise<void>((resolve, reject) => {
      let err = '';
      child.stderr?.on('data', (d: Buffer) => {
        err += String(d);
      });
      child.stdout?.once('data', () => resolve());
      child.once('exit', (c) => reject(new Error(`holder exited ${c}: ${err}`)));
    });
    return child.pid as number;
  }

  /** start a process by argv with fd 3 open to a file (docker-proxy writes its readiness there) */
  async spawnWithFd3(argv: string[], waitPort: number): Promise<number> {
    const d = mkdtempSync(join(tmpdir(), 'pdtest-'));
    this.dirs.push(d);
    const fd3 = openSync(join(d, 'fd3'), 'w');
    const child = spawn(argv[0] as string, argv.slice(1), {
      env: { ...process.env, PORTDOCTOR_TEST: '1' },
      stdio: ['ignore', 'ignore', 'ignore', fd3],
      detached: false,
    });
    this.procs.push(child);
    for (let i = 0; i < 50; i++) {
      if (sh(['ss', '-H', '-ltn', `sport = :${waitPort}`], { allowFail: true }).stdout.trim())
        return child.pid as number;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${argv[0]} did not listen on ${waitPort}`);
  }

  /** run a command now, and its inverse at cleanup */
  apply(argv: string[], inverse: string[] | (() => void)): void {
    sh(argv);
    this.undo.push(
      typeof inverse === 'function'
        ? inverse
        : () => {
            sh(inverse, { allowFail: true });
          },
    );
  }

  onCleanup(f: () => void): void {
    this.undo.push(f);
  }

  cleanup(): void {
    for (const p of this.procs) {
      try {
        p.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
    this.procs = [];
    // containers before the undo steps: a network cannot be removed while a container uses it
    if (this.containers.length) sh(['docker', 'rm', '-f', '-v', ...new Set(this.containers)], { allowFail: true });
    this.containers = [];
    for (const f of this.undo.reverse()) {
      try {
        f();
      } catch {
        /* keep cleaning */
      }
    }
    this.undo = [];
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
    this.dirs = [];
  }
}

/** nft handle of the rule carrying our comment in a chain (to delete exactly it) */
export function nftHandle(family: string, table: string, chain: string, comment = TAG): number | null {
  const r = sh(['nft', '-a', 'list', 'chain', family, table, chain], { allowFail: true });
  for (const line of r.stdout.split('\n')) {
    if (line.includes(`comment "${comment}"`)) {
      const m = /# handle (\d+)/.exec(line);
      if (m) return Number(m[1]);
    }
  }
  return null;
}

export function writeFile(path: string, text: string): void {
  writeFileSync(path, text);
}
export { execFileSync };
