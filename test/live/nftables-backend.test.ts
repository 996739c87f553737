// Docker 29's nftables backend, written for real next to the live 20.10 daemon: the exact base
// chains and rule texts moby writes into `table ip docker-bridges` (test/fixtures/engines/
// docker29-nftables.nft), on test ports, with the table tagged `portdoctor-test`. One DNAT belongs to
// a live container (it publishes the port), one is an orphan; diagnose tells them apart and
// `fix --apply` deletes the orphan by its handle.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diagnoseJson, dockerReady, Lab, portBlock, portdoctor, sh, TAG } from './helpers.js';

const P = portBlock(6);
const lab = new Lab();
afterEach(() => lab.cleanup());
const tableExists = sh(['nft', 'list', 'table', 'ip', 'docker-bridges'], { allowFail: true }).code === 0;
const notReady =
  dockerReady() ??
  (tableExists
    ? 'a docker-bridges table already exists here (a real Docker 29 nftables daemon?): not ours to touch'
    : null);

describe.skipIf(notReady !== null)(`Docker 29 nftables rules, live${notReady ? ` (skipped: ${notReady})` : ''}`, () => {
  it("an orphan in docker-bridges nat-prerouting-and-output is found, told from a live container's rule, and deleted by handle", () => {
    const owned = P(1);
    const orphan = P(2);
    const id = lab.run(['-p', `${owned}:80`]);
    const ip = lab.inspect(id, '{{.NetworkSettings.IPAddress}}');
    sh(['nft', '-f', '-'], {
      input: `table ip docker-bridges {
	comment "${TAG}"
	chain nat-OUTPUT {
		type nat hook output priority -100; policy accept;
		ip daddr != 127.0.0.0/8 fib daddr type local counter jump nat-prerouting-and-output
	}
	chain nat-PREROUTING {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local counter jump nat-prerouting-and-output
	}
	chain nat-prerouting-and-output {
		iifname != "docker0" tcp dport ${owned} counter dnat to ${ip}:80 comment "DNAT"
		iifname != "docker0" tcp dport ${orphan} counter dnat to 172.17.0.250:80 comment "DNAT"
	}
	chain raw-PREROUTING {
		type filter hook prerouting priority raw; policy accept;
		ip daddr ${ip} iifname != "docker0" counter drop comment "DROP DIRECT ACCESS"
	}
}
`,
    });
    lab.onCleanup(() => {
      sh(['nft', 'delete', 'table', 'ip', 'docker-bridges'], { allowFail: true });
    }); // the table this test made
    const mine = diagnoseJson(String(owned));
    expect(mine.json.verdict.cause).toBe('container');
    expect(mine.json.findings.map((f) => f.rule)).not.toContain('orphan-dnat');
    const d = diagnoseJson(String(orphan));
    expect(d.json.verdict.cause).toBe('orphan-dnat');
    expect(d.json.holders[0]).toMatchObject({
      kind: 'rule',
      backend: 'nft',
      table: 'docker-bridges',
      chain: 'nat-prerouting-and-output',
      toIp: '172.17.0.250',
    });
    const handle = d.json.holders[0]?.handle as number;
    const env = { PORTDOCTOR_STATE_DIR: mkdtempSync(join(tmpdir(), 'pd-state-')) };
    const plan = JSON.parse(portdoctor(['fix', String(orphan), '--json'], env).stdout) as {
      plans: Array<{ steps: Array<{ argv: string[] }> }>;
    };
    expect(plan.plans[0]?.steps[0]?.argv).toEqual([
      'nft',
      'delete',
      'rule',
      'ip',
      'docker-bridges',
      'nat-prerouting-and-output',
      'handle',
      String(handle),
    ]);
    const r = portdoctor(['fix', String(orphan), '--apply', '--yes'], env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const left = sh(['nft', '-a', 'list', 'chain', 'ip', 'docker-bridges', 'nat-prerouting-and-output']).stdout;
    expect(left).not.toContain(`dport ${orphan} `);
    expect(left).toContain(`dport ${owned} `); // the live container's rule is untouched
    expect(diagnoseJson(String(orphan)).json.verdict.cause).toBe('port-free');
  });
});
