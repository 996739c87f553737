// What leaves the host in `collect --out`: no container env (never collected), labels only
// compose's, and argv values that look like secrets masked. The forms (a table of them in
// test/unit/hostile/redact-table.test.ts) come from the CLIs whose listeners hold ports: mysql -pPASS,
// redis-cli -a PASS, curl -u/-H, helm --set, URLs with user:pass@, bare JWTs and AWS key ids.
import type { Proc, Snapshot } from '../model.js';

const MASK = '***';

/** a flag or variable name that says its value is a secret */
const SECRET_NAME =
  /(pass(word|wd|phrase)?|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|(^|[-_])key$|credential|auth|bearer|cookie|session|signature|dsn)/i;

/** short flags whose next argument (or attached value) is a secret: mysql -p, redis-cli -a, curl -u user:pass */
const SECRET_SHORT = new Set(['-p', '-a', '-u']);

/** values that are secrets whatever flag they follow */
const SECRET_VALUE: readonly RegExp[] = [
  // user:pass@ in any URL (postgres://, https://, redis://, amqp://)
  /^[a-z][a-z0-9+.-]*:\/\/[^/@\s:]*:[^/@\s]+@/i,
  // a JWT: three base64url parts, the first a JSON header ({"  → eyJ)
  /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]{5,}/,
  // AWS access key ids
  /\b(AKIA|ASIA)[0-9A-Z]{16}\b/,
  // an Authorization / Cookie header given as one argument (curl -H 'Authorization: Bearer …')
  /^\s*(proxy-)?(authorization|cookie|x-api-key|x-auth-token)\s*:/i,
];

/** user:pass@ inside a URL: keep the user and the host, mask the password */
const maskUrl = (s: string): string => s.replace(/(:\/\/[^/@\s:]*:)[^/@\s]+@/g, `$1${MASK}@`);

function maskValue(v: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) && /:\/\/[^/@\s:]*:[^/@\s]+@/.test(v)) return maskUrl(v);
  const h = /^(\s*[\w-]+\s*:\s*)/.exec(v);
  if (h && SECRET_VALUE[3]?.test(v)) return `${h[1]}${MASK}`;
  return MASK;
}

/** `--set=password=…`, `--set db.password=…`: a key=value whose key names a secret */
const nestedSecret = (v: string): boolean => {
  const eq = v.indexOf('=');
  return eq > 0 && SECRET_NAME.test(v.slice(0, eq));
};

/** the number `-p` takes in many tools (ssh -p 22, docker -p 8080:80): a port, not a password */
const portLike = (v: string): boolean =>
  /^(\[[0-9a-f:.]+\]:|[\d.]+:)?\d+(-\d+)?(:\d+(-\d+)?)?(\/(tcp|udp|sctp))?$/i.test(v);
/** Go-style single-dash flags (docker-proxy -proto tcp -host-ip …) are words, not -p with a value */
const wordFlag = (v: string): boolean => /^[a-z][a-z-]*$/.test(v);

export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const eq = a.indexOf('=');
    // a header given as one argument (Cookie: a=b holds an = too)
    if (SECRET_VALUE[3]?.test(a)) {
      out.push(maskValue(a));
      continue;
    }
    // --name=value and NAME=value
    if (eq > 0) {
      const name = a.slice(0, eq);
      const value = a.slice(eq + 1);
      if (SECRET_NAME.test(name.replace(/^-+/, ''))) {
        out.push(`${name}=${MASK}`);
        continue;
      }
      if (nestedSecret(value)) {
        out.push(`${name}=${value.slice(0, value.indexOf('='))}=${MASK}`);
        continue;
      }
      if (SECRET_VALUE.some((r) => r.test(value))) {
        out.push(`${name}=${maskValue(value)}`);
        continue;
      }
    }
    // a bare secret anywhere: a URL with a password, a JWT, an AWS key id, a header line
    if (SECRET_VALUE.some((r) => r.test(a))) {
      out.push(maskValue(a));
      continue;
    }
    // -pPASS (mysql), -aPASS: a short secret flag with its value attached
    if (/^-[pa].+/.test(a) && !a.startsWith('--') && !portLike(a.slice(2)) && !wordFlag(a.slice(2))) {
      out.push(`${a.slice(0, 2)}${MASK}`);
      continue;
    }
    // --password X, --auth X, -a X, -u user:pass, --set password=X
    const next = argv[i + 1];
    if (a.startsWith('-') && eq < 0 && next !== undefined && !next.startsWith('-')) {
      const long = a.startsWith('--') && SECRET_NAME.test(a.slice(2));
      const short = SECRET_SHORT.has(a) && (a !== '-p' || !portLike(next)) && (a !== '-u' || next.includes(':'));
      if (long || short) {
        out.push(a, a === '-u' ? `${next.slice(0, next.indexOf(':'))}:${MASK}` : MASK);
        i++;
        continue;
      }
      if (nestedSecret(next) && !SECRET_VALUE[3]?.test(next)) {
        out.push(a, `${next.slice(0, next.indexOf('='))}=${MASK}`);
        i++;
        continue;
      }
    }
    out.push(a);
  }
  return out;
}

export function redactSnapshot(s: Snapshot): Snapshot {
  if (!s.processes.ok) return s;
  const procs: Proc[] = s.processes.value.map((p) => ({ ...p, argv: redactArgv(p.argv) }));
  return { ...s, processes: { ...s.processes, value: procs } };
}
