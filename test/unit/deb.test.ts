// The .deb as a user gets it: built by `npm run build:deb` in a copy of the checkout, installed by dpkg into
// a temporary root and admin dir (never the real system), then run from there with no node on PATH, and
// as `docker portdoctor` through the real docker CLI with the package's cli-plugins directory.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveSnapshot } from '../../src/snapshot/io.js';
import { VERSION } from '../../src/version.js';
import { snapshotFromCapture } from '../helpers/lab-capture.js';
import { copyCheckout } from '../helpers/pack.js';

const docker = spawnSync('sh', ['-c', 'command -v docker'], { encoding: 'utf8' }).stdout.trim();
let dir = '';
let inst = '';
let deb = '';
let bin = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pddeb-'));
  const src = copyCheckout(join(dir, 'checkout'));
  execFileSync('npm', ['run', '--silent', 'build:deb'], {
    cwd: src,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PORTDOCTOR_DEB_COMPRESSION: 'gzip' },
  });
  const name = readdirSync(join(src, 'dist')).find((f) => f.endsWith('.deb'));
  if (!name) throw new Error('npm run build:deb wrote no .deb in dist/');
  deb = join(dir, name);
  execFileSync('mv', [join(src, 'dist', name), deb]);
  rmSync(join(dir, 'checkout'), { recursive: true, force: true });
  inst = join(dir, 'root');
  const admin = join(dir, 'admin');
  for (const d of [inst, join(admin, 'updates'), join(admin, 'info')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(admin, 'status'), '');
  // the temporary admin dir knows no libc6: --force-depends; nothing here touches /var/lib/dpkg or /usr
  execFileSync(
    'dpkg',
    [`--instdir=${inst}`, `--admindir=${admin}`, '--force-depends', '--log=/dev/null', '--install', deb],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  bin = join(dir, 'bin');
  mkdirSync(bin);
  if (docker) symlinkSync(docker, join(bin, 'docker'));
}, 300_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** PATH holds only the docker CLI (when present): no node anywhere. */
const env = (): NodeJS.ProcessEnv => ({ PATH: bin, HOME: dir, NO_COLOR: '1', PORTDOCTOR_TEST: '1' });
const run = (file: string, args: string[], extra: NodeJS.ProcessEnv = {}) => {
  const r = spawnSync(file, args, { cwd: dir, encoding: 'utf8', timeout: 30_000, env: { ...env(), ...extra } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('.deb (npm run build:deb, dpkg --instdir)', () => {
  it('declares itself and installs every piece where Debian looks for it', () => {
    const info = execFileSync('dpkg-deb', ['--field', deb, 'Package', 'Version', 'Architecture'], {
      encoding: 'utf8',
    });
    expect(info).toContain('Package: portdoctor');
    expect(info).toContain(`Version: ${VERSION}`);
    for (const f of [
      'usr/bin/portdoctor',
      'usr/share/man/man1/portdoctor.1.gz',
      'usr/share/bash-completion/completions/portdoctor',
      'usr/share/zsh/vendor-completions/_portdoctor',
      'usr/share/fish/vendor_completions.d/portdoctor.fish',
      'lib/systemd/system/portdoctor-exporter.service',
    ])
      expect(existsSync(join(inst, f)), f).toBe(true);
    const man = gunzipSync(readFileSync(join(inst, 'usr/share/man/man1/portdoctor.1.gz'))).toString();
    expect(man).toMatch(/^\.TH PORTDOCTOR 1 /m);
    expect(man).toContain(VERSION);
    expect(readFileSync(join(inst, 'usr/share/zsh/vendor-completions/_portdoctor'), 'utf8')).toMatch(
      /^#compdef portdoctor/,
    );
    expect(readFileSync(join(inst, 'usr/share/fish/vendor_completions.d/portdoctor.fish'), 'utf8')).toContain(
      'complete -c portdoctor',
    );
    const unit = readFileSync(join(inst, 'lib/systemd/system/portdoctor-exporter.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/portdoctor exporter /m);
    const link = join(inst, 'usr/libexec/docker/cli-plugins/docker-portdoctor');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('../../../bin/portdoctor');
  });

  it('the installed bash completion completes the commands', () => {
    const r = spawnSync(
      'bash',
      [
        '-c',
        `source ${join(inst, 'usr/share/bash-completion/completions/portdoctor')}; COMP_WORDS=(portdoctor di); COMP_CWORD=1; COMP_LINE="portdoctor di"; COMP_POINT=13; $(complete -p portdoctor | sed -E 's/.*-F ([^ ]+).*/\\1/') portdoctor di portdoctor; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.stdout.split('\n')).toContain('diagnose');
  });

  it('the installed binary runs with no node on PATH', () => {
    const exe = join(inst, 'usr/bin/portdoctor');
    expect(spawnSync('sh', ['-c', 'command -v node'], { env: env() }).status).not.toBe(0);
    expect(run(exe, ['--version'])).toEqual({ code: 0, out: `${VERSION}\n`, err: '' });
    const snap = join(dir, 'other-container.json');
    saveSnapshot(snap, snapshotFromCapture('other-container'));
    const d = run(exe, ['diagnose', '18201', '--from', snap, '--json']);
    expect(d.err).toBe('');
    expect(d.code).toBe(1);
    expect(JSON.parse(d.out).verdict.cause).toBe('container');
  });

  it.skipIf(!docker)('docker portdoctor, from the installed cli-plugins directory, through the real docker CLI', () => {
    const cfg = join(dir, 'docker-config');
    mkdirSync(cfg, { recursive: true });
    const plugins = join(inst, 'usr/libexec/docker/cli-plugins');
    writeFileSync(join(cfg, 'config.json'), JSON.stringify({ cliPluginsExtraDirs: [plugins] }));
    const v = run(join(bin, 'docker'), ['portdoctor', '--version'], { DOCKER_CONFIG: cfg });
    expect(v).toMatchObject({ code: 0, out: `${VERSION}\n` });
    const info = run(join(bin, 'docker'), ['info', '--format', '{{json .ClientInfo.Plugins}}'], { DOCKER_CONFIG: cfg });
    const mine = (JSON.parse(info.out) as Array<Record<string, string>>).find((p) => p.Name === 'portdoctor');
    expect(mine).toMatchObject({ Version: VERSION, Path: join(plugins, 'docker-portdoctor') });
    expect(mine?.Err).toBeUndefined();
  });
});
