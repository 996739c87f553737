// nft table names read from the host go into nft's argv, and nft joins its argv and parses it again
// (`;` separates commands): a table named `x; flush ruleset` must never reach nft, even from a
// read-only diagnose. The validator, the collector with a recording HostIO, and the CLI with a fake
// nft on PATH that logs its argv.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordingIO } from '../helpers/recording-io.js';
import { collectNft, nftTableArgs } from '../../src/collect/firewall.js';
import { isNftName, isOneNftRule } from '../../src/util/nft-name.js';
import { runCli } from '../helpers/cli.js';

const HOSTILE = 'x; flush ruleset';
const chainsJson = (tables: Array<[string, string]>) =>
  JSON.stringify({
    nftables: [
      { metainfo: { version: '1.0.9', json_schema_version: 1 } },
      ...tables.map(([family, table], i) => ({
        chain: { family, table, name: 'PREROUTING', handle: i + 1, type: 'nat', hook: 'prerouting', prio: -100 },
      })),
    ],
  });

/** nft answers: the chains given for `list chains`, an empty ruleset for anything else */
const nftIO = (chains: string) =>
  recordingIO((argv) => ({
    stdout: argv.includes('chains') ? chains : '{"nftables":[{"metainfo":{"json_schema_version":1}}]}',
  }));

describe('nft names', () => {
  it.each([
    ['nat', true],
    ['docker-bridges', true],
    ['firewalld', true],
    ['_x.y/z-1', true],
    [HOSTILE, false],
    ['a b', false],
    ['x;', false],
    ['x\nflush ruleset', false],
    ['"quoted"', false],
    ['{x}', false],
    ['1abc', false],
    ['', false],
    ['a'.repeat(257), false],
  ])('%j is a plain nft name: %s', (name, ok) => {
    expect(isNftName(name)).toBe(ok);
  });
  it('a "family table" pair splits only when both are plain words', () => {
    expect(nftTableArgs('inet docker-bridges')).toEqual(['inet', 'docker-bridges']);
    expect(nftTableArgs(`ip ${HOSTILE}`)).toBeNull();
    expect(nftTableArgs('evil nat')).toBeNull();
  });
  it('rule text for an undo is one command', () => {
    expect(isOneNftRule('tcp dport 18401 dnat to 172.17.0.250:80')).toBe(true);
    expect(isOneNftRule('tcp dport 1 accept; flush ruleset')).toBe(false);
    expect(isOneNftRule('accept\nflush ruleset')).toBe(false);
  });
});

describe('the nft collector', () => {
  it(`never passes a table named ${JSON.stringify(HOSTILE)} to nft; says the nft rules are unknown`, async () => {
    const io = nftIO(chainsJson([['ip', HOSTILE]]));
    const f = await collectNft(io, new Set());
    for (const c of io.calls) expect(c.join(' ')).not.toMatch(/flush/);
    expect(io.calls).toEqual([['nft', '-j', 'list', 'chains']]);
    expect(f.ok).toBe(false);
    if (!f.ok) expect(f.error.message).toMatch(/nft table "ip x; flush ruleset" has a name nft would read as more/);
  });
  it('a plain table name is still read, as separate arguments', async () => {
    const io = nftIO(chainsJson([['inet', 'docker-bridges']]));
    const f = await collectNft(io, new Set());
    expect(f.ok).toBe(true);
    expect(io.calls).toContainEqual(['nft', '-j', 'list', 'table', 'inet', 'docker-bridges']);
  });
});

describe('diagnose with a fake nft on PATH that logs its argv', () => {
  it('a read-only diagnose never hands nft the hostile table name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-nft-'));
    const log = join(dir, 'argv.log');
    writeFileSync(join(dir, 'chains.json'), chainsJson([['ip', HOSTILE]]));
    writeFileSync(
      join(dir, 'nft'),
      `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\ncase "$*" in *"list chains"*) cat '${dir}/chains.json' ;; *) echo '{"nftables":[]}' ;; esac\n`,
    );
    chmodSync(join(dir, 'nft'), 0o755);
    const r = runCli(['diagnose', '20123', '--json'], {
      env: { PATH: `${dir}:${process.env.PATH ?? ''}`, DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
    });
    const calls = readFileSync(log, 'utf8');
    expect(calls).toMatch(/-j list chains/);
    expect(calls).not.toMatch(/flush/);
    expect(r.out).toMatch(/nft would read as more than one word/);
  });
});
