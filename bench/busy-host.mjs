// Busy-host generator for the benchmark (safety rules of DEVELOPERS.md): at scale k, 5,000·k
// listening TCP and 1,000·k UDP sockets over 200·k host processes (PORTDOCTOR_TEST=1), 100·k running
// containers each publishing a port (label portdoctor.test=1, with their docker-proxies), and
// 2,000·k DNAT rules: Docker's own, orphans in iptables-nft DOCKER (tagged portdoctor-test) making a
// 2,000·k-line DOCKER chain, some in an iptables-legacy chain and some in a native nft table of our
// own. Nothing is ever sent to the rule targets. Teardown is by pid, container id, exact rule spec
// and our own chain/table names, as recorded in the state file.
//   node bench/busy-host.mjs up [--scale=1]   |   node bench/busy-host.mjs down
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIR = process.env.PORTDOCTOR_BENCH_STATE ?? '/run/portdoctor-bench';
const STATE = join(DIR, 'state.json');
const IMAGE = process.env.PORTDOCTOR_TEST_IMAGE ?? 'portdoctor-test-bb:latest';
const TAG = 'portdoctor-test';
const PATH = `${process.env.PATH}:/usr/sbin:/sbin`;
const sh = (argv, input) => {
  const r = spawnSync(argv[0], argv.slice(1), {
    encoding: 'utf8',
    input,
    env: { ...process.env, PATH },
    maxBuffer: 1 << 28,
  });
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

export const TCP_BASE = 20000;
export const UDP_BASE = 26000;
export const CONTAINER_BASE = 28000;
export const DNAT_BASE = 28500;

export async function up(scale) {
  if (existsSync(STATE)) throw new Error(`${STATE} exists: run "node bench/busy-host.mjs down" first`);
  mkdirSync(DIR, { recursive: true });
  const state = {
    scale,
    pids: [],
    containers: [],
    nftRules: [],
    legacyRules: [],
    legacyChain: 'PDBENCH',
    nftTable: 'portdoctor_bench',
  };
  const save = () => writeFileSync(STATE, JSON.stringify(state));
  save();
  sh(['gcc', '-O2', '-o', join(DIR, 'holder'), join(ROOT, 'bench/holder.c')]);
  // sockets: 25 TCP + 5 UDP per process; 5,000 TCP ports per loopback address, one address per scale step
  const procs = 200 * scale;
  const ready = [];
  for (let p = 0; p < procs; p++) {
    const specs = [];
    for (let i = 0; i < 25; i++) {
      const n = p * 25 + i;
      specs.push(`tcp:127.0.0.${1 + Math.floor(n / 5000)}:${TCP_BASE + (n % 5000)}`);
    }
    for (let i = 0; i < 5; i++) {
      const n = p * 5 + i;
      specs.push(`udp:127.0.0.${1 + Math.floor(n / 1000)}:${UDP_BASE + (n % 1000)}`);
    }
    const c = spawn(join(DIR, 'holder'), specs, {
      env: { PORTDOCTOR_TEST: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    c.unref();
    state.pids.push(c.pid);
    ready.push(
      new Promise((res, rej) => {
        c.stdout.once('data', () => {
          c.stdout.destroy();
          res();
        });
        c.once('exit', (code) => rej(new Error(`holder exited ${code}`)));
      }),
    );
  }
  save();
  await Promise.all(ready);
  // containers, 8 at a time
  const n = 100 * scale;
  for (let i = 0; i < n; i += 8) {
    const batch = [];
    for (let j = i; j < Math.min(n, i + 8); j++) {
      batch.push(
        new Promise((res, rej) => {
          const c = spawn(
            'docker',
            [
              'run',
              '-d',
              '--label',
              'portdoctor.test=1',
              '--label',
              'portdoctor.bench=1',
              '-p',
              `${CONTAINER_BASE + j}:80`,
              IMAGE,
            ],
            { stdio: ['ignore', 'pipe', 'pipe'] },
          );
          let out = '';
          c.stdout.on('data', (d) => {
            out += d;
          });
          c.on('exit', (code) => {
            const id = out.trim();
            if (/^[0-9a-f]{64}$/.test(id)) state.containers.push(id);
            if (code === 0) res();
            else rej(new Error(`docker run ${CONTAINER_BASE + j} failed`));
          });
        }),
      );
    }
    await Promise.all(batch);
    save();
  }
  // DNAT rules: Docker wrote n; orphans fill the DOCKER chain to 2,000·k lines; 100·k legacy, 100·k nft
  const total = 2000 * scale;
  const legacyN = 100 * scale;
  const nftN = 100 * scale;
  const orphanN = total - n - legacyN - nftN;
  const spec = (i) => [
    '-p',
    'tcp',
    '-m',
    'tcp',
    '--dport',
    String(DNAT_BASE + (i % 1400)),
    '-m',
    'comment',
    '--comment',
    TAG,
    '-j',
    'DNAT',
    '--to-destination',
    `172.18.${Math.floor(i / 250) % 250}.${1 + (i % 250)}:80`,
  ];
  const lines = [];
  for (let i = 0; i < orphanN; i++) {
    state.nftRules.push(spec(i));
    lines.push(`-A DOCKER ${spec(i).join(' ')}`);
  }
  sh(['iptables-nft-restore', '--noflush'], `*nat\n${lines.join('\n')}\nCOMMIT\n`);
  save();
  const legacy = [
    `:${state.legacyChain} - [0:0]`,
    `-A PREROUTING -m addrtype --dst-type LOCAL -m comment --comment ${TAG} -j ${state.legacyChain}`,
  ];
  for (let i = 0; i < legacyN; i++) {
    state.legacyRules.push(spec(orphanN + i));
    legacy.push(`-A ${state.legacyChain} ${spec(orphanN + i).join(' ')}`);
  }
  sh(['iptables-legacy-restore', '--noflush'], `*nat\n${legacy.join('\n')}\nCOMMIT\n`);
  save();
  const nft = [
    `table ip ${state.nftTable} {`,
    '  chain pre {',
    '    type nat hook prerouting priority -110; policy accept;',
  ];
  for (let i = 0; i < nftN; i++)
    nft.push(
      `    tcp dport ${DNAT_BASE + ((orphanN + legacyN + i) % 1400)} dnat to 172.19.${Math.floor(i / 250)}.${1 + (i % 250)}:80 comment "${TAG}"`,
    );
  nft.push('  }', '}');
  sh(['nft', '-f', '-'], `${nft.join('\n')}\n`);
  state.up = true;
  save();
  return state;
}

export function down() {
  if (!existsSync(STATE)) return;
  const s = JSON.parse(readFileSync(STATE, 'utf8'));
  for (const pid of s.pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (let i = 0; i < s.containers.length; i += 50)
    spawnSync('docker', ['rm', '-f', ...s.containers.slice(i, i + 50)], { stdio: 'ignore' });
  if (s.nftRules.length)
    spawnSync('iptables-nft-restore', ['--noflush'], {
      input: `*nat\n${s.nftRules.map((r) => `-D DOCKER ${r.join(' ')}`).join('\n')}\nCOMMIT\n`,
      env: { ...process.env, PATH },
    });
  if (s.legacyRules.length) {
    const del = [
      `-D PREROUTING -m addrtype --dst-type LOCAL -m comment --comment ${TAG} -j ${s.legacyChain}`,
      ...s.legacyRules.map((r) => `-D ${s.legacyChain} ${r.join(' ')}`),
      `-X ${s.legacyChain}`,
    ];
    spawnSync('iptables-legacy-restore', ['--noflush'], {
      input: `*nat\n${del.join('\n')}\nCOMMIT\n`,
      env: { ...process.env, PATH },
    });
  }
  spawnSync('nft', ['delete', 'table', 'ip', s.nftTable], { stdio: 'ignore', env: { ...process.env, PATH } });
  rmSync(DIR, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const cmd = process.argv[2];
  const scale = Number(process.argv.find((a) => a.startsWith('--scale='))?.slice(8) ?? 1);
  if (cmd === 'up') {
    try {
      const s = await up(scale);
      console.log(
        `busy host ×${scale}: ${s.pids.length} processes, ${s.containers.length} containers, ${s.nftRules.length} orphan DNAT in DOCKER, ${s.legacyRules.length} legacy, ${scale * 100} nft`,
      );
    } catch (e) {
      console.error(String(e));
      down();
      process.exit(1);
    }
  } else if (cmd === 'down') {
    down();
    console.log('busy host torn down');
  } else {
    console.error('usage: node bench/busy-host.mjs up [--scale=N] | down');
    process.exit(2);
  }
}
