// The path causes on real captures edited the way a firewall reload or an admin leaves them:
// docker-rules-missing (DNAT, chain or jump gone), firewall-drop (the rule named), conntrack-full
// (fake /proc roots), and the host facts the path model needs (/proc/net captured from a netns).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectHost } from '../../src/collect/host.js';
import { nodeHostIO } from '../../src/collect/host-io.js';
import { mergeViews, parseIptablesSave } from '../../src/collect/parse/iptables-save.js';
import { diagnose } from '../../src/diagnose.js';
import type { Snapshot } from '../../src/model.js';
import { planRemedies } from '../../src/remedy/plan.js';
import { LAB, snapshotFromCapture } from '../helpers/lab-capture.js';

const HOSTS = fileURLToPath(new URL('../fixtures/hosts/', import.meta.url));
const labText = (sc: string, f: string): string => readFileSync(join(LAB, sc, f), 'utf8');

function edited(sc: string, edit: (nat: string, filter: string) => [string, string]): Snapshot {
  const s = snapshotFromCapture(sc);
  const [nat, filter] = edit(labText(sc, 'iptables-nft-save-nat.txt'), labText(sc, 'iptables-nft-save-filter.txt'));
  const v = mergeViews('iptables-nft', [parseIptablesSave(nat + filter, 'iptables-nft', 'ip')]);
  return { ...s, iptablesNft: { ok: true, value: v, source: 'edited capture' } };
}

const SUBJECT = { proto: 'tcp' as const, ip: null, port: 18201 };
const DNAT_LINE = /^-A DOCKER ! -i docker0 -p tcp -m tcp --dport 18201 .*\n/m;

describe('docker-rules-missing', () => {
  it('the published port as captured: Docker\'s rules are all there, the verdict stays "container"', () => {
    const d = diagnose(snapshotFromCapture('other-container'), SUBJECT);
    expect(d.verdict.cause).toBe('container');
    expect(d.findings.map((f) => f.cause)).not.toContain('docker-rules-missing');
  });

  it('its DNAT deleted: docker-rules-missing, docker-proxy still carries outside traffic, remedies name their disruption', () => {
    const s = edited('other-container', (nat, f) => [nat.replace(DNAT_LINE, ''), f]);
    const d = diagnose(s, SUBJECT);
    expect(d.verdict.cause).toBe('docker-rules-missing');
    const f = d.findings.find((x) => x.cause === 'docker-rules-missing');
    expect(f?.data).toMatchObject({
      missing: 'dnat',
      stillAnswers: true,
      containerIp: '172.17.0.2',
      bridge: 'docker0',
    });
    expect(f?.messageId).toBe('dnatGone');
    expect(f?.data.outcome).toMatch(/^docker-proxy \(pid \d+\) accepts it/);
    const plans = planRemedies(d, s);
    const restart = plans.find((p) => p.remedy === 'restart-container');
    expect(restart?.steps[0]?.argv).toEqual(['docker', 'restart', 'portlab-other-container-holder']);
    expect(restart?.disrupts[0]).toMatch(/restarts/);
    expect(plans.find((p) => p.remedy === 'restart-dockerd')?.disrupts[0]).toMatch(/live-restore is NOT enabled/);
    // by hand: exactly the line dockerd writes, so `iptables -C` of dockerd finds it later
    expect(plans.find((p) => p.remedy === 're-add-docker-rules')?.steps.map((x) => x.argv.slice(4).join(' '))).toEqual([
      '-A DOCKER ! -i docker0 -p tcp -m tcp --dport 18201 -j DNAT --to-destination 172.17.0.2:80',
    ]);
    expect(plans.every((p) => p.safety === 'suggest')).toBe(true);
  });

  it('the jump from PREROUTING/OUTPUT deleted: the DNAT is dead weight, named as such', () => {
    const s = edited('other-container', (nat, f) => [nat.replace(/^-A (PREROUTING|OUTPUT) .*-j DOCKER\n/gm, ''), f]);
    const d = diagnose(s, SUBJECT);
    expect(d.verdict.cause).toBe('docker-rules-missing');
    const f = d.findings.find((x) => x.cause === 'docker-rules-missing');
    expect(f?.data.missing).toBe('jump');
    expect(f?.messageId).toBe('jumpGone');
    const byHand = planRemedies(d, s).find((p) => p.remedy === 're-add-docker-rules');
    expect(byHand?.steps.map((x) => x.argv[5])).toEqual(['PREROUTING', 'OUTPUT']);
  });

  it('the whole nat DOCKER chain gone (a flush + delete): likely, not certain (dockerd may run with --iptables=false)', () => {
    const e = edited('other-container', (nat, f) => [
      nat.replace(/^(:DOCKER .*|-A DOCKER .*|-A (PREROUTING|OUTPUT) .*-j DOCKER)\n/gm, ''),
      f,
    ]);
    // the capture's `nft list chains` view saw the chain too: gone from there as well
    const s: Snapshot = e.nft.ok ? { ...e, nft: { ...e.nft, value: { ...e.nft.value, hasDockerChain: false } } } : e;
    const d = diagnose(s, SUBJECT);
    expect(d.verdict).toMatchObject({ cause: 'docker-rules-missing', confidence: 'likely' });
    expect(d.findings.find((x) => x.cause === 'docker-rules-missing')?.data.missing).toBe('chain');
  });

  it("an orphan ahead of Docker's DNAT is orphan-dnat, not a missing rule and not a firewall drop", () => {
    const d = diagnose(snapshotFromCapture('orphan-dnat'), { proto: 'tcp', ip: null, port: 18401 });
    expect(d.verdict.cause).toBe('orphan-dnat');
    expect(d.findings.map((f) => f.cause)).not.toContain('docker-rules-missing');
    expect(d.findings.map((f) => f.cause)).not.toContain('firewall-drop');
  });

  it("blind to nft while Docker's nat table is only readable there: nothing is called missing", () => {
    const s = snapshotFromCapture('orphan-dnat-nft');
    const blind: Snapshot = { ...s, nft: { ok: false, error: { code: 'denied', message: 'no' }, source: 't' } };
    expect(diagnose(blind, { proto: 'tcp', ip: null, port: 18404 }).findings.map((f) => f.cause)).not.toContain(
      'docker-rules-missing',
    );
  });
});

describe('firewall-drop', () => {
  const withDrop = (rule: string) =>
    edited('other-container', (nat, f) => [
      nat,
      f.replace('-A DOCKER-USER -j RETURN', `${rule}\n-A DOCKER-USER -j RETURN`),
    ]);

  it('a DOCKER-USER drop for the container: firewall-drop naming the rule; delete-by-spec and an allow as suggestions', () => {
    const rule =
      '-A DOCKER-USER -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -m comment --comment portdoctor-test -j DROP';
    const s = withDrop(rule);
    const d = diagnose(s, SUBJECT);
    expect(d.verdict.cause).toBe('firewall-drop');
    expect(d.holders).toContainEqual(
      expect.objectContaining({ kind: 'rule', backend: 'iptables-nft', table: 'filter', chain: 'DOCKER-USER', rule }),
    );
    expect(d.findings.find((f) => f.cause === 'firewall-drop')?.data.where).toBe(
      'iptables-nft ip filter DOCKER-USER rule 1',
    );
    const plans = planRemedies(d, s);
    expect(plans.find((p) => p.remedy === 'delete-drop-rule')?.steps[0]?.argv).toEqual([
      'iptables-nft',
      '-w',
      '-t',
      'filter',
      '-D',
      'DOCKER-USER',
      '-d',
      '172.17.0.2/32',
      '-p',
      'tcp',
      '-m',
      'tcp',
      '--dport',
      '80',
      '-m',
      'comment',
      '--comment',
      'portdoctor-test',
      '-j',
      'DROP',
    ]);
    expect(plans.find((p) => p.remedy === 'delete-drop-rule')?.warnings[0]).toMatch(/portdoctor-test/);
    expect(plans.find((p) => p.remedy === 'allow-in-docker-user')?.steps[0]?.argv.slice(0, 5)).toEqual([
      'iptables-nft',
      '-w',
      '-I',
      'DOCKER-USER',
      '1',
    ]);
  });

  it('a REJECT for some sources only: a warning, possible, naming who is cut off', () => {
    const d = diagnose(withDrop('-A DOCKER-USER -s 10.0.0.0/8 -j REJECT --reject-with icmp-port-unreachable'), SUBJECT);
    const f = d.findings.find((x) => x.cause === 'firewall-drop');
    expect(f).toMatchObject({ severity: 'warning', confidence: 'possible' });
    expect(f?.data).toMatchObject({ rejected: true, someClients: true });
    expect(f?.data.assumptions).toMatch(/source 10\.0\.0\.0\/8/);
  });

  it("the FORWARD policy drops it when Docker's accept is gone: the policy is named", () => {
    const s = edited('other-container', (nat, f) => [nat, f.replace(/^-A DOCKER -d 172\.17\.0\.2\/32 .*\n/m, '')]);
    const d = diagnose(s, SUBJECT);
    expect(d.verdict.cause).toBe('firewall-drop');
    expect(d.findings.find((f) => f.cause === 'firewall-drop')?.data).toMatchObject({ policy: true, chain: 'FORWARD' });
  });
});

describe('conntrack-full, from fake /proc roots', () => {
  const at = (dir: string): Snapshot => ({
    ...snapshotFromCapture('host-process'),
    host: collectHost(nodeHostIO({ root: join(HOSTS, dir), env: {} })),
  });
  it('count = max: conntrack-full, certain, with the limit and the fix', () => {
    const s = at('conntrack-full');
    const d = diagnose(s, { proto: 'tcp', ip: null, port: 18101 });
    const f = d.findings.find((x) => x.cause === 'conntrack-full');
    expect(f).toMatchObject({ severity: 'error', confidence: 'certain', data: { count: 262144, max: 262144 } });
    expect(f?.messageId).toBe('full');
    const plan = planRemedies(d, s).find((p) => p.remedy === 'raise-conntrack-max');
    expect(plan?.steps.map((x) => x.argv.join(' '))).toEqual([
      'conntrack -S',
      'sysctl -w net.netfilter.nf_conntrack_max=524288',
    ]);
  });
  it('92% full: likely; far below: nothing', () => {
    expect(
      diagnose(at('conntrack-near'), { proto: 'tcp', ip: null, port: 18101 }).findings.find(
        (x) => x.cause === 'conntrack-full',
      )?.confidence,
    ).toBe('likely');
    expect(
      diagnose(at('conntrack-ok'), { proto: 'tcp', ip: null, port: 18101 }).findings.map((f) => f.cause),
    ).not.toContain('conntrack-full');
  });
});

describe('host facts for the path model (captured from a netns)', () => {
  it('local addresses from fib_trie and if_inet6, the default route and its address', () => {
    const h = collectHost(nodeHostIO({ root: join(HOSTS, 'netns-addrs'), env: {} }));
    expect(h.ok).toBe(true);
    if (!h.ok) return;
    expect(h.value.localAddrs).toEqual(expect.arrayContaining(['127.0.0.1', '172.17.0.1', '192.0.2.10', '::1']));
    expect(h.value.localAddrs).not.toContain('127.0.0.0');
    expect(h.value.defaultIface).toBe('eth0');
    expect(h.value.defaultAddr).toBe('192.0.2.10');
  });
});
