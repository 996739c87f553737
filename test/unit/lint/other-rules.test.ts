import { describe, expect, it } from 'vitest';
import { applyFixes, disabledBy, lintProjects } from '../../../src/compose/lint.js';
import { formatGithub, formatSarif } from '../../../src/compose/format/index.js';
import { interpolate, parseDotEnv } from '../../../src/compose/interpolate.js';
import { parseShortPort } from '../../../src/compose/ports.js';
import { lintCase, ruleTester } from '../../helpers/compose-tester.js';
import { snapshotFromCapture } from '../../helpers/lab-capture.js';

describe('replicas-fixed-host-port', () => {
  ruleTester('replicas-fixed-host-port', {
    valid: [
      { code: 'services:\n  a:\n    image: x\n    deploy: {replicas: 3}\n    ports: ["8080"]\n' },
      {
        name: 'a range as large as the replicas',
        code: 'services:\n  a:\n    image: x\n    deploy: {replicas: 3}\n    ports: ["8080-8082:80"]\n',
      },
      { code: 'services:\n  a:\n    image: x\n    scale: 1\n    ports: ["8080:80"]\n' },
    ],
    invalid: [
      {
        code: 'services:\n  a:\n    image: x\n    deploy:\n      replicas: 2\n    ports: ["8080:80"]\n',
        errors: [
          {
            line: 6,
            column: 13,
            messageId: 'tooFewPorts',
            data: { port: 8080, replicas: 2, replicasLine: 5, size: 1 },
          },
        ],
      },
      {
        name: 'scale (compose v1)',
        code: 'services:\n  a:\n    image: x\n    scale: 4\n    ports: ["8080-8081:80"]\n',
        errors: [{ line: 5, data: { replicas: 4 } }],
      },
    ],
  });
});

describe('sensitive-port-on-all-interfaces', () => {
  ruleTester('sensitive-port-on-all-interfaces', {
    valid: [
      { code: 'services:\n  db:\n    image: postgres\n    ports: ["127.0.0.1:5432:5432"]\n' },
      { code: 'services:\n  db:\n    image: postgres\n    ports: ["5432"]\n' },
    ],
    invalid: [
      {
        code: 'services:\n  db:\n    image: postgres\n    ports: ["15432:5432"]\n',
        errors: [
          {
            line: 4,
            column: 13,
            severity: 'warning',
            messageId: 'allInterfaces',
            data: { what: 'PostgreSQL', port: 15432, containerPort: 5432, services: ['db'] },
          },
        ],
      },
    ],
  });
});

describe('missing-host-ip', () => {
  ruleTester('missing-host-ip', {
    valid: [{ code: 'services:\n  a:\n    image: x\n    ports: ["0.0.0.0:8080:80", "8081"]\n' }],
    invalid: [
      {
        code: 'services:\n  a:\n    image: x\n    ports: ["8080:80"]\n',
        errors: [{ line: 4, severity: 'warning', data: { port: 8080, hostIp: null } }],
      },
    ],
  });
});

describe('well-known-host-port', () => {
  ruleTester('well-known-host-port', {
    valid: [
      {
        name: 'a specific IP avoids the resolved stub',
        code: 'services:\n  dns:\n    image: x\n    ports: ["192.168.1.10:53:53/udp"]\n',
      },
    ],
    invalid: [
      {
        code: 'services:\n  dns:\n    image: x\n    ports: ["53:53/udp"]\n',
        errors: [
          {
            line: 4,
            messageId: 'usuallyHeld',
            data: { proto: 'udp', port: 53, heldBy: expect.stringMatching(/^systemd-resolved /) },
          },
        ],
      },
      {
        code: 'services:\n  a:\n    image: x\n    ports: ["0.0.0.0:22:22"]\n',
        errors: [{ line: 4, messageId: 'usuallyHeld', data: { proto: 'tcp', port: 22, heldBy: 'sshd' } }],
      },
    ],
  });
});

describe('dynamic-host-port', () => {
  ruleTester('dynamic-host-port', {
    valid: [{ code: 'services:\n  a:\n    image: x\n    ports: ["80:80", "12345"]\n' }],
    invalid: [
      {
        code: 'services:\n  web:\n    image: nginx\n    ports: ["80"]\n',
        errors: [{ line: 4, messageId: 'randomHostPort', data: { port: 80, hostIp: null, services: ['web'] } }],
      },
    ],
  });
});

describe('host-port-in-use (--against-host, on recorded hosts)', () => {
  ruleTester('host-port-in-use', {
    valid: [
      {
        name: "the redeployed project's own container is not a clash",
        host: snapshotFromCapture('compose-duplicate'),
        projects: [{ name: 'portlabdup', code: 'services:\n  web-a:\n    image: x\n    ports: ["18801:80"]\n' }],
        code: '',
      },
      {
        name: 'free on this host',
        host: snapshotFromCapture('host-process'),
        code: 'services:\n  a:\n    image: x\n    ports: ["18199:80"]\n',
      },
    ],
    invalid: [
      {
        name: 'a host process holds it, named',
        host: snapshotFromCapture('host-process'),
        code: 'services:\n  a:\n    image: x\n    ports: ["18101:80"]\n',
        errors: [
          {
            line: 4,
            messageId: 'taken',
            data: {
              cause: 'host-process',
              port: 18101,
              holder: expect.objectContaining({ kind: 'process', pid: 12052, comm: 'python3' }),
            },
          },
        ],
      },
      {
        name: "another project's container holds it",
        host: snapshotFromCapture('compose-duplicate'),
        code: 'services:\n  a:\n    image: x\n    ports: ["18802:80"]\n',
        errors: [
          {
            line: 4,
            messageId: 'taken',
            data: {
              cause: 'container',
              holder: expect.objectContaining({
                kind: 'container',
                name: 'portlabscale_web_2',
                composeProject: 'portlabscale',
                composeService: 'web',
              }),
            },
          },
        ],
      },
      {
        name: 'an orphan DNAT would take its traffic',
        host: snapshotFromCapture('orphan-dnat/before-run'),
        code: 'services:\n  a:\n    image: x\n    ports: ["18401:80"]\n',
        errors: [
          {
            line: 4,
            messageId: 'taken',
            data: {
              cause: 'orphan-dnat',
              holder: expect.objectContaining({
                kind: 'rule',
                backend: 'iptables-nft',
                table: 'nat',
                chain: 'DOCKER',
                toIp: '172.17.0.250',
              }),
            },
          },
        ],
      },
    ],
  });
});

describe('bad input: a clear error at the line, and the other files still linted', () => {
  it('malformed YAML, not compose, unknown variable, port out of range, bad protocol, IPv6 without brackets', () => {
    const p = lintProjects([
      { name: 'a', files: [{ path: 'bad.yaml', text: 'services:\n  a: [\n' }], vars: {} },
      { name: 'b', files: [{ path: 'notcompose.yaml', text: 'hello: world\n' }], vars: {} },
      {
        name: 'c',
        files: [
          {
            path: 'c.yaml',
            text: 'services:\n  a:\n    image: x\n    ports:\n      - "${NOPE}:80"\n      - "70000:80"\n      - "8080:80/sctp"\n      - "::1:8080:80"\n      - "9090:90"\n',
          },
        ],
        vars: {},
      },
    ]).problems;
    expect(p.find((x) => x.rule === 'parse-error')).toMatchObject({
      file: 'bad.yaml',
      line: 3,
      severity: 'error',
      message: expect.stringMatching(/not valid YAML/),
    });
    expect(p.find((x) => x.rule === 'not-compose')).toMatchObject({ file: 'notcompose.yaml', line: 1 });
    const c = p.filter((x) => x.file === 'c.yaml').map((x) => [x.rule, x.line]);
    // an unset variable leaves ":80": an empty host port, which Compose treats as a random one
    expect(c).toEqual(
      expect.arrayContaining([
        ['unknown-variable', 5],
        ['invalid-port', 6],
        ['invalid-port', 7],
        ['invalid-port', 8],
        ['missing-host-ip', 9],
      ]),
    );
    expect(p.find((x) => x.rule === 'invalid-port' && x.line === 6)?.message).toMatch(/70000 is out of range/);
    expect(p.find((x) => x.rule === 'invalid-port' && x.line === 8)?.message).toMatch(/IPv6 host IPs need brackets/);
  });
});

describe('disable comments and config levels', () => {
  it('# portdoctor-disable-line / -next-line / -file', () => {
    const code =
      'services:\n  a:\n    image: x\n    ports:\n      - "8080:80"\n      - "8080:81" # portdoctor-disable-line duplicate-host-port\n      # portdoctor-disable-next-line\n      - "8080:82"\n';
    expect(lintCase({ code }).filter((p) => p.rule === 'duplicate-host-port')).toEqual([]);
    const f = disabledBy('# portdoctor-disable-file missing-host-ip\n');
    expect(f('missing-host-ip', 9)).toBe(true);
    expect(f('duplicate-host-port', 9)).toBe(false);
  });
  it('a config re-levels or turns off a rule', () => {
    const inputs = [
      {
        name: 'a',
        files: [{ path: 'c.yaml', text: 'services:\n  a:\n    image: x\n    ports: ["8080:80", "8080:81"]\n' }],
        vars: {},
      },
    ];
    const r = lintProjects(inputs, {
      config: { rules: { 'missing-host-ip': 'off', 'duplicate-host-port': 'warning' } },
    });
    expect(r.problems.map((p) => [p.rule, p.severity])).toEqual([['duplicate-host-port', 'warning']]);
  });
});

describe('--fix keeps formatting and comments', () => {
  it('moves the second binding to the nearest free port and touches nothing else', () => {
    const text =
      'services:\n  web:   # keep me\n    image: x\n    ports:\n      - "8080:80"   # main\n  api:\n    image: y\n    ports:\n      - \'127.0.0.1:8080:8080\'  # admin\n      - target: 90\n        published: 8081\n';
    const r = lintProjects([{ name: 'p', files: [{ path: 'c.yaml', text }], vars: {} }], { fix: true });
    const out = applyFixes(r).get('c.yaml');
    // 8081 is taken by the long-syntax entry: the nearest free one is 8079
    expect(out).toBe(text.replace("'127.0.0.1:8080:8080'", "'127.0.0.1:8079:8080'"));
  });
  it('variables are never rewritten', () => {
    const text =
      'services:\n  a:\n    image: x\n    ports: ["8080:80"]\n  b:\n    image: x\n    ports: ["${P:-8080}:80"]\n';
    const r = lintProjects([{ name: 'p', files: [{ path: 'c.yaml', text }], vars: {} }], { fix: true });
    expect(applyFixes(r).size).toBe(0);
  });
});

describe('formats', () => {
  const r = lintProjects([
    {
      name: 'p',
      files: [{ path: 'c.yaml', text: 'services:\n  a:\n    image: x\n    ports: ["8080:80", "8080:81"]\n' }],
      vars: {},
    },
  ]);
  it('sarif 2.1.0 with rule metadata and regions', () => {
    const s = JSON.parse(formatSarif(r, '0.1.0'));
    expect(s.version).toBe('2.1.0');
    expect(s.runs[0].results).toContainEqual(
      expect.objectContaining({
        ruleId: 'duplicate-host-port',
        level: 'error',
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: 'c.yaml', uriBaseId: '%SRCROOT%' },
              region: { startLine: 4, startColumn: 24, endLine: 4, endColumn: 33 },
            },
          },
        ],
      }),
    );
  });
  it('GitHub annotations', () => {
    expect(formatGithub(r)).toContain(
      '::error file=c.yaml,line=4,col=24,endLine=4,endColumn=33,title=duplicate-host-port::',
    );
  });
});

describe('syntax helpers', () => {
  it('short syntax keeps the host IP and models "ephemeral"', () => {
    expect(parseShortPort('8080')).toMatchObject({ hostPort: 'ephemeral', hostIp: null });
    expect(parseShortPort('127.0.0.1::80')).toMatchObject({ hostPort: 'ephemeral', hostIp: '127.0.0.1' });
    expect(parseShortPort('[::1]:8080:80/udp')).toMatchObject({
      hostIp: '::1',
      hostPort: { start: 8080, end: 8080 },
      proto: 'udp',
      hostPortIndex: 6,
    });
  });
  it('interpolation as Compose does it, and .env', () => {
    const v = { A: 'x', E: '' };
    expect(interpolate('${A}-${B:-d}-${E:-d}-${E-d}-$$-${A:+y}-$A', v).value).toBe('x-d-d--$-y-x');
    expect(() => interpolate('${B:?needed}', v)).toThrow(/required variable B/);
    expect(interpolate('${NOPE}', v).unknown).toEqual(['NOPE']);
    expect(parseDotEnv('# c\nexport A=1\nB="two words" \nC=3 # note\n')).toEqual({ A: '1', B: 'two words', C: '3' });
  });
});
