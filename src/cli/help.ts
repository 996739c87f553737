// The text after each command's option list: examples, exit codes, environment. One table here so every
// `--help`, the man page and the README say the same thing.
import { EXIT } from './exit.js';

export interface CommandHelp {
  readonly examples: ReadonlyArray<readonly [string, string]>;
  /** what 0, 1 and 3 mean for this command (2 and 4 are the same everywhere) */
  readonly exits: Readonly<Partial<Record<0 | 1 | 3, string>>>;
}

export const COMMAND_HELP: Readonly<Record<string, CommandHelp>> = {
  diagnose: {
    examples: [
      ['portdoctor diagnose 8080', 'who holds 8080/tcp on 0.0.0.0 and ::'],
      ['portdoctor diagnose 127.0.0.1:5432 --json', 'one host IP, machine-readable'],
      ['docker compose up 2>&1 | portdoctor diagnose --error -', 'take the port from the error you got'],
    ],
    exits: { 0: 'the port is free', 1: 'something holds or mis-routes it', 3: 'could not decide (cause unknown)' },
  },
  explain: {
    examples: [
      ["portdoctor explain 'Bind for 0.0.0.0:8080 failed: port is already allocated'", 'which stage refused it'],
      ['docker compose up 2>&1 | portdoctor explain - --json', 'a whole compose log on stdin'],
    ],
    exits: { 0: 'recognised, not a conflict', 1: 'recognised: a port conflict', 3: 'not recognised' },
  },
  fix: {
    examples: [
      ['portdoctor fix 8080', 'print the plan (nothing runs)'],
      ['sudo portdoctor fix 8080 --apply', 'run the safe [fix] steps, asking before each'],
      ['sudo portdoctor fix --undo', 'replay the inverse of the last applied fix'],
      ['portdoctor fix 8080 --suggest-port', 'the nearest free host port'],
    ],
    exits: {
      0: 'the port is free (or the fix freed it, or the undo ran)',
      1: 'the conflict is (still) there, or nothing safe to run',
      3: 'could not decide (cause unknown, or another fix is running)',
    },
  },
  lint: {
    examples: [
      ['portdoctor lint', 'the compose files of this directory (and compose.override.yaml)'],
      ['portdoctor lint deploy/ --json', 'a directory, machine-readable'],
      ['portdoctor lint --format sarif > lint.sarif', 'for GitHub code scanning'],
      ['cat compose.yaml | portdoctor lint -', 'from stdin'],
      ['portdoctor lint -f compose.yaml -f compose.prod.yaml --against-host', 'merged, and against this host'],
    ],
    exits: { 0: 'no errors (warnings allowed)', 1: 'at least one error' },
  },
  ports: {
    examples: [
      ['portdoctor ports', "the host's whole port map"],
      ['portdoctor ports --conflicts --no-trunc', 'only what is not ok, owners in full'],
      ['portdoctor ports --port 80 --port 443 --json', 'machine-readable'],
    ],
    exits: {
      0: 'every entry is ok',
      1: 'an entry is not ok (conflict, orphan rule, stale proxy…)',
      3: 'part of the host could not be read',
    },
  },
  watch: {
    examples: [
      ['sudo portdoctor watch', 'diagnose failed starts as they happen'],
      ['sudo portdoctor watch --json | jq .cause', 'one JSON object a line'],
    ],
    exits: { 0: 'stopped by SIGINT/SIGTERM' },
  },
  exporter: {
    examples: [['sudo portdoctor exporter --listen 127.0.0.1:9468', 'serve /metrics']],
    exits: { 0: 'stopped by SIGINT/SIGTERM' },
  },
  trace: {
    examples: [
      ['sudo portdoctor trace 8080', 'where a new connection to 8080/tcp goes, from outside and from this host'],
      ['sudo portdoctor trace 8080 --from container:web', 'from a client inside container web'],
      ['sudo portdoctor trace 127.0.0.1:8080 --from container:web', 'why localhost inside a container is not the host'],
      ['sudo portdoctor trace 5353/udp --json', 'hop by hop, machine-readable'],
    ],
    exits: {
      0: 'every path reaches a listener',
      1: 'a path is dropped, refused or answered by nobody',
      3: 'undecided (the path depends on something the rule sets do not say)',
    },
  },
  collect: {
    examples: [
      ['sudo portdoctor collect --out host.json', 'then: portdoctor diagnose 8080 --from host.json'],
      [
        'sudo portdoctor collect --out - --port 8080 | ssh admin@helpdesk "cat > host.json"',
        'to stdout (mode 0600 for a file)',
      ],
    ],
    exits: { 0: 'the snapshot was written' },
  },
  completion: {
    examples: [
      ['portdoctor completion bash > /etc/bash_completion.d/portdoctor', 'bash'],
      ['portdoctor completion zsh > "${fpath[1]}/_portdoctor"', 'zsh'],
      ['portdoctor completion fish > ~/.config/fish/completions/portdoctor.fish', 'fish'],
    ],
    exits: { 0: 'the script was printed' },
  },
};

export const ENVIRONMENT: ReadonlyArray<readonly [string, string]> = [
  ['DOCKER_HOST', 'the Docker socket (unix:///run/user/1000/docker.sock, tcp://127.0.0.1:2375)'],
  ['DOCKER_CONTEXT', 'a docker context name (else the current context of docker context use)'],
  ['DOCKER_CONFIG', 'the docker config directory (default ~/.docker)'],
  ['NO_COLOR, FORCE_COLOR', 'turn colour off / force it on (--no-color wins)'],
  ['PORTDOCTOR_STATE_DIR', 'where fix keeps its lock and journals (default /var/lib/portdoctor)'],
  ['PORTDOCTOR_TRACE=1', 'print start-up timings on stderr'],
];

export const EXIT_LINES: Readonly<Record<number, string>> = {
  [EXIT.usage]: 'usage error (bad argument, option or file; nothing was checked)',
  [EXIT.internal]: 'internal error (please report it)',
};

const table = (rows: ReadonlyArray<readonly [string, string]>, indent = '  '): string[] => {
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `${indent}${a.padEnd(w)}  ${b}`);
};

export function exitRows(name: string): Array<[string, string]> {
  const h = COMMAND_HELP[name];
  const rows: Array<[string, string]> = [];
  for (const code of [0, 1, 2, 3, 4] as const) {
    const text = code === 2 || code === 4 ? EXIT_LINES[code] : h?.exits[code];
    if (text) rows.push([String(code), text]);
  }
  return rows;
}

/** Help text appended after a command's options. */
export function helpAfter(name: string): string {
  const h = COMMAND_HELP[name];
  if (!h) return '';
  const lines = ['', 'Examples:'];
  for (const [cmd, why] of h.examples) lines.push(`  $ ${cmd}`, `      ${why}`);
  lines.push('', 'Exit codes:', ...table(exitRows(name)));
  return `${lines.join('\n')}\n`;
}

/** Help text after the program's own usage: every command's exit codes share one table. */
export function programHelpAfter(): string {
  return [
    '',
    'Examples:',
    '  $ sudo portdoctor diagnose 8080',
    "  $ portdoctor explain 'Bind for 0.0.0.0:8080 failed: port is already allocated'",
    '  $ portdoctor ports --conflicts',
    '',
    'Exit codes (every command; `portdoctor COMMAND --help` says what they mean there):',
    '  0  nothing wrong',
    '  1  a conflict or hazard found',
    '  2  usage error',
    '  3  could not decide (cause unknown, host not fully readable, or explain recognised nothing)',
    '  4  internal error',
    '',
    'Environment:',
    ...table(ENVIRONMENT),
    '',
    'Docs: docs/ in the package (a page per cause and per lint rule), README.md',
    '',
  ].join('\n');
}
