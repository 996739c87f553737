// What each `portdoctor lint` rule means and how to fix what it reports: the SARIF rule metadata
// (fullDescription, help) and the pages in docs/rules/ (npm run gen:docs) come from here. The loader
// rules are checked by the compiler; a compose rule without an entry fails test/unit/docs.test.ts.
import type { LOADER_RULES } from '../compose/rules/index.js';

export interface LintRuleDoc {
  /** a sentence or two beyond the rule's one-line description: why it matters */
  readonly why: string;
  /** what to change in the compose file (markdown allowed: `code`) */
  readonly fix: string;
  /** a compose snippet that triggers it */
  readonly example?: string;
}

export const COMPOSE_RULE_DOCS: Readonly<Record<string, LintRuleDoc>> = {
  'duplicate-host-port': {
    why: 'dockerd and the kernel key a published port by protocol, host IP, address family and port: two bindings whose host IPs overlap (the same IP, or one of them a wildcard of the same family) cannot both bind, so the second container fails to start with "port is already allocated" or "address already in use". `0.0.0.0:P` beside `[::]:P`, or two different specific IPs, are not a clash.',
    fix: 'Give one of the bindings another host port, or a host IP that does not overlap the other (`127.0.0.1:8080:80` beside `192.0.2.10:8080:80`). `portdoctor lint --fix` proposes the nearest free host port; `--write` applies it.',
    example:
      'services:\n  a:\n    image: nginx\n    ports: ["8080:80"]\n  b:\n    image: nginx\n    ports: ["8080:80"]',
  },
  'replicas-fixed-host-port': {
    why: 'Every replica of a service (`deploy.replicas`, `scale`) publishes the same fixed host port: the first one gets it, every other replica fails to start.',
    fix: 'Publish a host port range with at least as many ports as replicas (`"8080-8082:80"`), let Docker choose (`"80"`), or put a load balancer in front and publish only that.',
    example: 'services:\n  web:\n    image: nginx\n    deploy:\n      replicas: 3\n    ports: ["8080:80"]',
  },
  'host-port-in-use': {
    why: "With `--against-host`, the host port is already held on this host: by a listening process, a running container of another project, or a DNAT rule that would take its traffic. `docker compose up` would fail (or, for a DNAT rule, succeed while traffic goes elsewhere). The holder is named in the message; the project's own containers do not count.",
    fix: 'Move the binding to a free host port (`portdoctor lint --against-host --fix` proposes one this host has free), or free the port: `portdoctor diagnose PORT` says who holds it and how to reclaim it safely.',
  },
  'sensitive-port-on-all-interfaces': {
    why: "A database, cache or admin port (PostgreSQL, MySQL, Redis, MongoDB, Elasticsearch, …) published without a host IP is reachable on every interface of the host, and Docker's DNAT rules bypass the host firewall's INPUT chain (ufw, firewalld).",
    fix: 'Publish it on loopback only (`"127.0.0.1:5432:5432"`), or not at all: other services of the project reach it over the project network by its service name.',
    example: 'services:\n  db:\n    image: postgres\n    ports: ["5432:5432"]',
  },
  'missing-host-ip': {
    why: 'A published port with no host IP binds `0.0.0.0` and `[::]`: every interface, IPv4 and IPv6, reachable from outside unless something else filters it.',
    fix: 'Name the address to make it a decision: `"127.0.0.1:8080:80"` for this host only, `"0.0.0.0:8080:80"` when it is meant to be public.',
    example: 'services:\n  web:\n    image: nginx\n    ports: ["8080:80"]',
  },
  'well-known-host-port': {
    why: 'The host port is one a host service usually holds already (22 sshd, 53 systemd-resolved, 25 an MTA, 631 cups, …): on most hosts the publish fails with "address already in use".',
    fix: 'Publish on another host port, or on a specific host IP the host service does not hold (`"192.0.2.10:53:53/udp"` beside resolved\'s `127.0.0.53:53`).',
    example: 'services:\n  dns:\n    image: coredns/coredns\n    ports: ["53:53/udp"]',
  },
  'dynamic-host-port': {
    why: 'A well-known service port published as a container port alone (`"80"`) gets a random host port from the ephemeral range on every start, so clients cannot find it; usually a host port was meant.',
    fix: 'Write the host port (`"8080:80"`), or keep it random on purpose and look it up with `docker compose port SERVICE 80`.',
    example: 'services:\n  web:\n    image: nginx\n    ports: ["80"]',
  },
};

/** the problems the project loader reports: each a rule too (it can be re-levelled or disabled) */
export const LOADER_RULE_DOCS = {
  'parse-error': {
    why: 'The file is not valid YAML, so nothing in it can be checked; docker compose refuses it too.',
    fix: 'Fix the YAML at the line shown (indentation, an unclosed quote or bracket, a tab).',
  },
  'not-compose': {
    why: 'The file is YAML but not a Compose file: it has no `services` mapping (and no `include`).',
    fix: 'Point lint at the Compose file (`portdoctor lint DIR` picks the file docker compose would), or add the `services:` mapping.',
  },
  'invalid-compose': {
    why: 'docker compose config would refuse the file: it breaks the Compose specification (an unknown key, a wrong type, a duplicate key, a service with neither image nor build).',
    fix: 'Fix the key shown; `docker compose config` prints the same complaint.',
  },
  'invalid-port': {
    why: 'A `ports` entry cannot be read as Compose reads it: a port out of 1–65535, a range whose host and container sides differ in length, an unknown protocol.',
    fix: 'Write it as `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]` (or the long form with `target`, `published`, `host_ip`, `protocol`).',
  },
  'unknown-variable': {
    why: 'A `${VAR}` in the file is set neither in the environment nor in `.env`, and has no default: docker compose substitutes an empty string (with a warning), which usually breaks the port.',
    fix: 'Set the variable (environment or `.env` beside the file, or `--env-file`), or give it a default: `${PORT:-8080}`.',
  },
  'include-not-found': {
    why: 'An `include` entry names a file that cannot be read, so the services it defines are not linted; docker compose fails on it.',
    fix: 'Fix the path (relative to the including file) or remove the entry.',
  },
  'include-cycle': {
    why: 'Two or more files include each other (followed by their real paths, so symlinks count): docker compose refuses the project, and the files in the loop are linted once.',
    fix: 'Remove the `include` entry that closes the loop (the chain is printed with the finding).',
  },
  'extends-cycle': {
    why: "A service's `extends` chain comes back to a service already in it, so what it inherits is undefined; docker compose refuses it.",
    fix: 'Break the chain at the service shown: one of its `extends` must name a service outside the loop.',
  },
  'extends-not-found': {
    why: "A service's `extends` names a service (or file) that does not exist, so what it inherits is unknown; docker compose fails on it.",
    fix: 'Fix the service name or the `file:` path in `extends`.',
  },
  'ports-ignored-in-host-network': {
    why: "A service with `network_mode: host` uses the host's network namespace directly: its `ports` are ignored (the process binds host ports itself), so they say nothing about what it holds.",
    fix: 'Remove `ports` from the service, or drop `network_mode: host` and keep the ports.',
  },
} as const satisfies Record<(typeof LOADER_RULES)[number], LintRuleDoc>;

/** One line each, for SARIF shortDescription and the page title (compose rules carry their own in meta). */
export const LOADER_RULE_TITLES = {
  'parse-error': 'The file is not valid YAML.',
  'not-compose': 'The file is not a Compose file.',
  'invalid-compose': 'The file breaks the Compose specification.',
  'invalid-port': 'A ports entry cannot be read.',
  'unknown-variable': 'A variable is set nowhere and has no default.',
  'include-not-found': 'An included file cannot be read.',
  'extends-not-found': 'An extended service does not exist.',
  'include-cycle': 'Files include each other in a loop.',
  'extends-cycle': 'Services extend each other in a loop.',
  'ports-ignored-in-host-network': 'Ports on a host-network service are ignored.',
} as const satisfies Record<(typeof LOADER_RULES)[number], string>;
