// Issue 17 on the host's own (test) dockerd, without sending any traffic: a test container's own
// DNAT rule deleted by its exact spec → docker-rules-missing, with remedies that name what they
// disrupt; a DOCKER-USER drop (comment portdoctor-test) for that container's address → firewall-drop
// naming the rule. Both are put back / removed by exact spec in finally. Nothing else is touched.
import { afterAll, describe, expect, it } from 'vitest';
import { diagnoseJson, dockerReady, ENGINE_ID, Lab, portBlock, sh, TAG } from './helpers.js';

const P = portBlock(82);
const lab = new Lab();
afterAll(() => lab.cleanup());
const notReady = dockerReady();

interface Remedy {
  remedy: string;
  rule: string;
  safety: string;
  disrupts: string[];
  steps: Array<{ argv: string[] }>;
}

/** the container's own DNAT line in iptables-save (nat), as argv after -A CHAIN, and its position */
function ownDnat(port: number, ip: string): { chain: string; argv: string[]; index: number } {
  const lines = sh(['iptables-save', '-t', 'nat']).stdout.split('\n');
  const l = lines.find(
    (x) =>
      x.startsWith('-A DOCKER ') &&
      x.includes(`--dport ${port} `) &&
      x.includes('-j DNAT') &&
      x.includes(`--to-destination ${ip}:80`),
  );
  if (!l) throw new Error(`no DNAT for ${port} → ${ip}:80 in nat DOCKER:\n${lines.join('\n')}`);
  if (l.includes('"')) throw new Error(`quoted rule needs a real parser: ${l}`);
  const [, chain, ...argv] = l.split(' ');
  const index = lines.filter((x) => x.startsWith(`-A ${chain} `)).indexOf(l) + 1;
  return { chain: chain as string, argv, index };
}

describe.skipIf(notReady !== null)(
  `live (${ENGINE_ID ?? '?'}, host daemon, no traffic): path causes${notReady ? ` (skipped: ${notReady})` : ''}`,
  () => {
    it('its own DNAT deleted by exact spec: docker-rules-missing, its restarts naming what they disrupt; restored by the same spec', () => {
      const port = P(1);
      const id = lab.run(['-p', `${port}:80`]);
      const ip = lab.inspect(id, '{{.NetworkSettings.IPAddress}}');
      const r = ownDnat(port, ip);
      sh(['iptables', '-w', '-t', 'nat', '-D', r.chain, ...r.argv]);
      try {
        const d = diagnoseJson(String(port));
        expect(d.json.verdict.cause).toBe('docker-rules-missing');
        const f = d.json.findings.find((x) => x.rule === 'docker-rules-missing') as
          { data: Record<string, unknown> } | undefined;
        expect(f?.data).toMatchObject({ missing: 'dnat', containerIp: ip, hostPort: port, bridge: 'docker0' });
        const rem = (d.json.remedies as unknown as Remedy[]).filter((x) => x.rule === 'docker-rules-missing');
        expect(rem.length).toBeGreaterThan(0);
        // a restart names what it stops; the hand restore restarts nothing
        const byName = new Map(rem.map((x) => [x.remedy, x]));
        expect(byName.get('restart-container')?.disrupts.join(' ')).toMatch(/restarts/);
        expect(byName.get('restart-dockerd')?.disrupts.join(' ')).toMatch(/live-restore/);
        for (const x of rem) expect(x.safety).toBe('suggest');
        // the hand restore is exactly the rule that was deleted
        const add = rem.flatMap((x) => x.steps).find((s) => s.argv.includes('DNAT'));
        expect(add?.argv.slice(add.argv.indexOf('DOCKER') + 1)).toEqual(r.argv);
      } finally {
        sh(['iptables', '-w', '-t', 'nat', '-I', r.chain, String(r.index), ...r.argv]);
      }
      expect(ownDnat(port, ip).index).toBe(r.index);
      expect(diagnoseJson(String(port)).json.findings.map((x) => x.rule)).not.toContain('docker-rules-missing');
    });

    it('a DOCKER-USER drop for its address: firewall-drop naming that rule; removed by the same spec', () => {
      const port = P(2);
      const id = lab.run(['-p', `${port}:80`]);
      const ip = lab.inspect(id, '{{.NetworkSettings.IPAddress}}');
      const spec = ['-d', `${ip}/32`, '-p', 'tcp', '-m', 'comment', '--comment', TAG, '-j', 'DROP'];
      sh(['iptables', '-w', '-t', 'filter', '-I', 'DOCKER-USER', '1', ...spec]);
      try {
        const d = diagnoseJson(String(port));
        expect(d.json.verdict.cause).toBe('firewall-drop');
        const f = d.json.findings.find((x) => x.rule === 'firewall-drop') as
          { holders: Array<{ kind: string; chain: string; rule: string; toIp: string }> } | undefined;
        expect(f?.holders[0]).toMatchObject({ kind: 'rule', chain: 'DOCKER-USER', toIp: ip });
        expect(f?.holders[0]?.rule).toContain(`-d ${ip}/32`);
        expect(f?.holders[0]?.rule).toContain(TAG);
      } finally {
        sh(['iptables', '-w', '-t', 'filter', '-D', 'DOCKER-USER', ...spec]);
      }
      expect(sh(['iptables-save', '-t', 'filter']).stdout).not.toContain(
        `-d ${ip}/32 -p tcp -m comment --comment ${TAG}`,
      );
      expect(diagnoseJson(String(port)).json.findings.map((x) => x.rule)).not.toContain('firewall-drop');
    });
  },
);
