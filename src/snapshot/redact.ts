// What leaves the host in `collect --out`: no container env (never collected), labels only
// compose's, and argv values that look like secrets masked.
import type { Proc, Snapshot } from '../model.js';

const SECRET_FLAG = /(pass(word)?|secret|token|api[-_]?key|credential|auth)/i;

export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    const eq = a.indexOf('=');
    if (a.startsWith('-') && eq > 0 && SECRET_FLAG.test(a.slice(0, eq))) {
      out.push(`${a.slice(0, eq)}=***`);
      continue;
    }
    if (!a.startsWith('-') && eq > 0 && SECRET_FLAG.test(a.slice(0, eq))) {
      out.push(`${a.slice(0, eq)}=***`);
      continue;
    }
    out.push(a);
    if (a.startsWith('-') && eq < 0 && SECRET_FLAG.test(a) && i + 1 < argv.length) {
      out.push('***');
      i++;
    }
  }
  return out;
}

export function redactSnapshot(s: Snapshot): Snapshot {
  if (!s.processes.ok) return s;
  const procs: Proc[] = s.processes.value.map((p) => ({ ...p, argv: redactArgv(p.argv) }));
  return { ...s, processes: { ...s.processes, value: procs } };
}
