// `portdoctor fix` on the real dockerd: only safe steps run, each re-checked first, journalled,
// undoable, one run at a time, and never touching what belongs to a live container.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collectSnapshot } from '../../src/collect/index.js';
import { nodeHostIO } from '../../src/collect/host-io.js';
import { diagnose } from '../../src/diagnose.js';
import { acquireLock, applyPlan } from '../../src/remedy/execute.js';
import { planRemedies } from '../../src/remedy/plan.js';
import { BIN, diagnoseJson, dockerReady, ENGINE, Lab, portBlock, portdoctor, sh, TAG } from './helpers.js';

const P = portBlock(2);
const ORPHAN_IP = '172.17.0.250';
const lab = new Lab();
afterEach(() => lab.cleanup());
const notReady = dockerReady();
const orphanSpec = (port: number, ip = ORPHAN_IP) => [
  '!',
  '-i',
  'docker0',
  '-p',
  'tcp',
  '-m',
  'tcp',
  '--dport',
  String(port),
  '-m',
  'comment',
  '--comment',
  TAG,
  '-j',
  'DNAT',
  '--to-destination',
  `${ip}:80`,
];
const addOrphan = (port: number, ip = ORPHAN_IP) =>
  lab.apply(
    ['iptables', '-w', '-t', 'nat', '-A', 'DOCKER', ...orphanSpec(port, ip)],
    ['iptables', '-w', '-t', 'nat', '-D', 'DOCKER', ...orphanSpec(port, ip)],
  );
const ruleLines = (table: string): string[] =>
  sh(['iptables-save', '-t', table])
    .stdout.split('\n')
    .filter((l) => l.startsWith('-A '));
const stateEnv = () => ({ PORTDOCTOR_STATE_DIR: mkdtempSync(join(tmpdir(), 'pd-state-')) });

describe.skipIf(notReady !== null)(
  `live fix on dockerd ${ENGINE.id}${notReady ? ` (skipped: ${notReady})` : ''}`,
  () => {
    it('ten healthy containers + one orphan DNAT: --apply removes only the orphan, their rules stay byte-identical, and a new docker run -p gets the port', async () => {
      const ips: string[] = [];
      for (let i = 1; i <= 10; i++)
        ips.push(lab.inspect(lab.run(['-p', `${P(i)}:80`]), '{{.NetworkSettings.IPAddress}}'));
      const port = P(20);
      addOrphan(port);
      const mine = (lines: string[]) =>
        lines.filter((l) => ips.some((ip) => l.includes(`${ip}/`) || l.includes(`${ip}:`)));
      const natBefore = mine(ruleLines('nat'));
      const filterBefore = mine(ruleLines('filter'));
      expect(natBefore.length).toBeGreaterThanOrEqual(10);
      expect(ruleLines('nat').some((l) => l.includes(`--dport ${port} `))).toBe(true);

      const plan = portdoctor(['fix', String(port), '--json'], stateEnv());
      const pj = JSON.parse(plan.stdout);
      expect(pj.cause).toBe('orphan-dnat');
      expect(pj.plans[0]).toMatchObject({ remedy: 'delete-orphan-dnat', safety: 'fix', disrupts: [] });
      expect(pj.plans[1]).toMatchObject({ remedy: 'restart-dockerd', safety: 'suggest' });
      // planning changed nothing
      expect(ruleLines('nat').some((l) => l.includes(`--dport ${port} `))).toBe(true);

      const env = stateEnv();
      const r = portdoctor(['fix', String(port), '--apply', '--yes'], env);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(ruleLines('nat').some((l) => l.includes(`--dport ${port} `))).toBe(false);
      expect(mine(ruleLines('nat'))).toEqual(natBefore);
      expect(mine(ruleLines('filter'))).toEqual(filterBefore);
      const journals = readdirSync(join(env.PORTDOCTOR_STATE_DIR, 'journal'));
      expect(journals).toHaveLength(1);

      // the reclaimed port: Docker's rule is now the first (only) DNAT for it, and loopback reaches the new container
      const id = lab.run(['-p', `${port}:80`]);
      const ip = lab.inspect(id, '{{.NetworkSettings.IPAddress}}');
      const dnat = ruleLines('nat').filter((l) => l.includes(`--dport ${port} `) && l.includes('DNAT'));
      expect(dnat).toEqual([`-A DOCKER ! -i docker0 -p tcp -m tcp --dport ${port} -j DNAT --to-destination ${ip}:80`]);
      // loopback only, through the new container's own docker-proxy (as the lab's orphan-dnat check did)
      const body = await (await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5000) })).text();
      expect(body.trim()).toBe('portdoctor-ok');
      expect(diagnoseJson(String(port)).json.verdict.cause).toBe('container');
    });

    it('--undo puts the deleted rule back (journalled), and cleanup can remove it again', () => {
      const port = P(21);
      addOrphan(port);
      const env = stateEnv();
      // --json: one object on stdout each, validated against schemas/fix-apply and fix-undo by portdoctor()
      const a = portdoctor(['fix', String(port), '--apply', '--yes', '--json'], env);
      expect(a.code, a.stderr).toBe(0);
      expect(JSON.parse(a.stdout)).toMatchObject({
        cause: 'orphan-dnat',
        applied: { ran: 1, refused: null, failed: null },
      });
      expect(ruleLines('nat').some((l) => l.includes(`--dport ${port} `))).toBe(false);
      const u = portdoctor(['fix', '--undo', '--json'], env);
      expect(u.code, u.stderr).toBe(0);
      expect(JSON.parse(u.stdout)).toMatchObject({ undone: 1, failed: null });
      expect(ruleLines('nat').filter((l) => l.includes(`--dport ${port} `))).toHaveLength(1);
      expect(readdirSync(join(env.PORTDOCTOR_STATE_DIR, 'journal'))).toHaveLength(2);
      // undone once: a second --undo runs nothing (it re-added the same rule every time before)
      const again = portdoctor(['fix', '--undo'], env);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/was undone already .*; nothing ran/);
      expect(ruleLines('nat').filter((l) => l.includes(`--dport ${port} `))).toHaveLength(1);
    });

    it('a host process is never stopped by --apply: the plan is a suggestion and exit 1', async () => {
      const port = P(22);
      const pid = await lab.hold({ proto: 'tcp', host: '0.0.0.0', port });
      const r = portdoctor(['fix', String(port), '--apply', '--yes'], stateEnv());
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/Nothing safe to do unattended/);
      expect(() => process.kill(pid, 0)).not.toThrow();
    });

    it("a stale docker-proxy is stopped after re-checking it is not dockerd's child; the port is then free", async () => {
      const port = P(23);
      const pid = await lab.spawnWithFd3(
        [
          ENGINE.dockerProxy,
          '-proto',
          'tcp',
          '-host-ip',
          '0.0.0.0',
          '-host-port',
          String(port),
          '-container-ip',
          ORPHAN_IP,
          '-container-port',
          '80',
        ],
        port,
      );
      const r = portdoctor(['fix', `0.0.0.0:${port}`, '--apply', '--yes'], stateEnv());
      expect(r.code, r.stdout + r.stderr).toBe(0);
      await new Promise((res) => setTimeout(res, 200));
      expect(() => process.kill(pid, 0)).toThrow();
      expect(diagnoseJson(`0.0.0.0:${port}`).json.verdict.cause).toBe('port-free');
    });

    it('a precondition that changed between plan and apply is refused with a clear message (rule gone; target IP now live)', async () => {
      const io = nodeHostIO();
      const dir = mkdtempSync(join(tmpdir(), 'pd-state-'));
      // 1. the rule vanished
      const port = P(24);
      addOrphan(port);
      let snap = await collectSnapshot(io, { ports: [port] });
      let plan = planRemedies(diagnose(snap, { proto: 'tcp', ip: null, port }), snap)[0]!;
      sh(['iptables', '-w', '-t', 'nat', '-D', 'DOCKER', ...orphanSpec(port)]);
      let r = await applyPlan(plan, {
        io,
        subject: 't',
        stateDir: dir,
        fresh: () => collectSnapshot(io, { ports: [port] }),
      });
      expect(r.refused).toMatch(/no longer there/);
      // 2. the orphan's target IP is handed to a live container meanwhile
      const net = `pdtest-net-${port}`;
      lab.apply(
        ['docker', 'network', 'create', '--label', 'portdoctor.test=1', '--subnet', '172.31.254.0/24', net],
        ['docker', 'network', 'rm', net],
      );
      const port2 = P(25);
      addOrphan(port2, '172.31.254.77');
      snap = await collectSnapshot(io, { ports: [port2] });
      plan = planRemedies(diagnose(snap, { proto: 'tcp', ip: null, port: port2 }), snap)[0]!;
      expect(plan.remedy).toBe('delete-orphan-dnat');
      lab.run(['--network', net, '--ip', '172.31.254.77']);
      r = await applyPlan(plan, {
        io,
        subject: 't',
        stateDir: dir,
        fresh: () => collectSnapshot(io, { ports: [port2] }),
      });
      expect(r.refused).toMatch(/172\.31\.254\.77 now belongs to live container/);
      expect(ruleLines('nat').some((l) => l.includes(`--dport ${port2} `))).toBe(true);
    });

    it('two fix --apply at once do not both act: the lock', async () => {
      const port = P(26);
      addOrphan(port);
      const env = stateEnv();
      const release = acquireLock(env.PORTDOCTOR_STATE_DIR);
      try {
        const r = portdoctor(['fix', String(port), '--apply', '--yes'], env);
        expect(r.code).toBe(3);
        expect(r.stderr).toMatch(/another portdoctor fix --apply \(or --undo\) is running \(pid \d+/);
        expect(ruleLines('nat').some((l) => l.includes(`--dport ${port} `))).toBe(true);
      } finally {
        release();
      }
      // and truly concurrent: two processes race; the rule is deleted exactly once, nothing fails
      const run = () =>
        new Promise<number>((res) => {
          const c = spawn(BIN, ['fix', String(port), '--apply', '--yes'], {
            env: { ...process.env, ...env },
            stdio: 'ignore',
          });
          c.on('exit', (code) => res(code ?? -1));
        });
      const codes = await Promise.all([run(), run()]);
      expect(codes).toContain(0);
      expect(ruleLines('nat').some((l) => l.includes(`--dport ${port} `))).toBe(false);
      const applied = readdirSync(join(env.PORTDOCTOR_STATE_DIR, 'journal')).length;
      expect(applied).toBe(1);
    });
  },
);
