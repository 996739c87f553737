// collect --out redaction, one row per secret form (the red-team pass found 15 of 25 passing through),
// and the forms that must stay as they are: ports, addresses, ordinary flags, docker-proxy's argv.
import { describe, expect, it } from 'vitest';
import { redactArgv } from '../../../src/snapshot/redact.js';

const SECRET = 'Hunter2s3cr3t';
// [argv, what must be left] : the secret must be gone, the rest kept
const MASKED: ReadonlyArray<readonly [readonly string[], readonly string[]]> = [
  [
    ['mysqld', `-p${SECRET}`],
    ['mysqld', '-p***'],
  ],
  [
    ['mysql', '-p', SECRET],
    ['mysql', '-p', '***'],
  ],
  [
    ['app', `--db-url=postgres://user:${SECRET}@db/x`],
    ['app', '--db-url=postgres://user:***@db/x'],
  ],
  [
    ['app', `postgres://user2:${SECRET}@db/y`],
    ['app', 'postgres://user2:***@db/y'],
  ],
  [
    ['curl', `https://bob:${SECRET}@example.com/`],
    ['curl', 'https://bob:***@example.com/'],
  ],
  [
    ['curl', '-H', `Authorization: Bearer ${SECRET}`],
    ['curl', '-H', 'Authorization: ***'],
  ],
  [
    ['curl', '-H', `Cookie: session=${SECRET}`],
    ['curl', '-H', 'Cookie: ***'],
  ],
  [
    ['app', `--private-key=${SECRET}`],
    ['app', '--private-key=***'],
  ],
  [
    ['app', `--pwd=${SECRET}`],
    ['app', '--pwd=***'],
  ],
  [
    ['app', `--key=${SECRET}`],
    ['app', '--key=***'],
  ],
  [
    ['curl', '-u', `admin:${SECRET}`],
    ['curl', '-u', 'admin:***'],
  ],
  [
    ['helm', `--set=password=${SECRET}`],
    ['helm', '--set=password=***'],
  ],
  [
    ['helm', '--set', `db.password=${SECRET}`],
    ['helm', '--set', 'db.password=***'],
  ],
  [
    ['redis-cli', '-a', SECRET],
    ['redis-cli', '-a', '***'],
  ],
  [
    ['redis-server', `-a${SECRET}`],
    ['redis-server', '-a***'],
  ],
  [
    ['app', `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.${SECRET}abc`],
    ['app', '***'],
  ],
  [
    ['app', `--bearer=${SECRET}`],
    ['app', '--bearer=***'],
  ],
  [
    ['app', `--cookie=session=${SECRET}`],
    ['app', '--cookie=***'],
  ],
  [
    ['env', 'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE'],
    ['env', 'AWS_ACCESS_KEY_ID=***'],
  ],
  [
    ['app', 'AKIAIOSFODNN7EXAMPLE'],
    ['app', '***'],
  ],
  [
    ['app', `--password=${SECRET}`],
    ['app', '--password=***'],
  ],
  [
    ['app', '--password', SECRET],
    ['app', '--password', '***'],
  ],
  [
    ['app', `AWS_SECRET_ACCESS_KEY=${SECRET}`],
    ['app', 'AWS_SECRET_ACCESS_KEY=***'],
  ],
  [
    ['app', `--api-key=${SECRET}`],
    ['app', '--api-key=***'],
  ],
  [
    ['app', '--client-secret', SECRET],
    ['app', '--client-secret', '***'],
  ],
  [
    ['app', `--token=${SECRET}`],
    ['app', '--token=***'],
  ],
  [
    ['app', '--auth', SECRET],
    ['app', '--auth', '***'],
  ],
  [
    ['mysqld', `MYSQL_ROOT_PASSWORD=${SECRET}`],
    ['mysqld', 'MYSQL_ROOT_PASSWORD=***'],
  ],
  [
    ['app', `--passwd=${SECRET}`],
    ['app', '--passwd=***'],
  ],
  [
    ['app', `--secret-file=${SECRET}`],
    ['app', '--secret-file=***'],
  ],
  [
    ['app', `--access-token`, SECRET],
    ['app', '--access-token', '***'],
  ],
  [
    ['app', `--dsn=${SECRET}`],
    ['app', '--dsn=***'],
  ],
  [
    ['app', `--listen=0.0.0.0:80`, `--upstream=redis://:${SECRET}@cache:6379/0`],
    ['app', '--listen=0.0.0.0:80', '--upstream=redis://:***@cache:6379/0'],
  ],
];

const KEPT: ReadonlyArray<readonly string[]> = [
  ['python3', '-m', 'http.server', '8080', '--bind', '127.0.0.1'],
  ['ssh', '-p', '2222', 'host'],
  ['docker', 'run', '-p', '127.0.0.1:8080:80/tcp', '-p8081:81', 'nginx'],
  [
    '/usr/bin/docker-proxy',
    '-proto',
    'tcp',
    '-host-ip',
    '0.0.0.0',
    '-host-port',
    '8080',
    '-container-ip',
    '172.17.0.2',
    '-container-port',
    '80',
  ],
  ['nginx', '-g', 'daemon off;'],
  ['app', '--port=8080', '--listen', '[::1]:9000', '--workers', '4', '-v', '--no-auth', '--log-level', 'debug'],
  ['curl', 'https://example.com/path?q=1', '-H', 'Accept: application/json'],
  ['ls', '-a', '-l'],
  ['app', '--keyfile', '/etc/app/server.pem', '--monkey=banana'],
];

describe('collect --out redaction table', () => {
  it.each(MASKED.map(([a, b]) => [a.join(' '), a, b] as const))('%s → masked', (_s, argv, want) => {
    const got = redactArgv(argv);
    expect(got).toEqual(want);
    expect(JSON.stringify(got)).not.toContain(SECRET);
    expect(JSON.stringify(got)).not.toMatch(/AKIAIOSFODNN7EXAMPLE/);
  });
  it('covers at least 30 secret forms', () => expect(MASKED.length).toBeGreaterThanOrEqual(30));
  it.each(KEPT.map((a) => [a.join(' '), a] as const))('%s → kept as it is', (_s, argv) => {
    expect(redactArgv(argv)).toEqual(argv);
  });
});
