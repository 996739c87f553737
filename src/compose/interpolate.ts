// Compose variable interpolation, as Compose resolves it: ${VAR}, $VAR, ${VAR:-default},
// ${VAR-default}, ${VAR:?err}, ${VAR?err}, ${VAR:+alt}, ${VAR+alt}, and $$ for a literal $.
// Defaults and alternatives may nest (${A:-${B:-8087}}): a regex cannot match nested braces, so
// this is a small scanner, linear in the input (each character is read once per nesting level).
// Values come from the environment first, then the project's .env file.

export class InterpolationError extends Error {
  constructor(
    message: string,
    readonly variable: string,
  ) {
    super(message);
  }
}

export interface Interpolated {
  readonly value: string;
  readonly unknown: readonly string[];
}

type Vars = Readonly<Record<string, string | undefined>>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** index of the `}` closing the `${` whose body starts at `from`, counting nested braces; -1 if none */
function closingBrace(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    const c = s[i];
    if (c === '$' && s[i + 1] === '$') i++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

function expand(s: string, vars: Vars, unknown: string[]): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const d = s.indexOf('$', i);
    if (d < 0) {
      out += s.slice(i);
      break;
    }
    out += s.slice(i, d);
    const next = s[d + 1];
    if (next === '$') {
      out += '$';
      i = d + 2;
      continue;
    }
    if (next === '{') {
      const end = closingBrace(s, d + 2);
      if (end < 0) throw new InterpolationError(`invalid interpolation "${s.slice(d)}": no closing "}"`, s.slice(d));
      out += substitute(s.slice(d + 2, end), `\${${s.slice(d + 2, end)}}`, vars, unknown);
      i = end + 1;
      continue;
    }
    const bare = NAME.exec(s.slice(d + 1));
    if (bare) {
      const v = vars[bare[0]];
      if (v === undefined) unknown.push(bare[0]);
      out += v ?? '';
      i = d + 1 + bare[0].length;
      continue;
    }
    // a lone "$" (before a space, a digit, the end): Compose keeps it as it is
    out += '$';
    i = d + 1;
  }
  return out;
}

function substitute(expr: string, whole: string, vars: Vars, unknown: string[]): string {
  const n = NAME.exec(expr);
  if (!n) throw new InterpolationError(`invalid interpolation "${whole}"`, expr);
  const name = n[0];
  const rest = expr.slice(name.length);
  const op = /^(:?[-?+])/.exec(rest)?.[1];
  if (rest !== '' && !op) throw new InterpolationError(`invalid interpolation "${whole}"`, expr);
  const arg = op ? rest.slice(op.length) : '';
  const v = vars[name];
  const set = v !== undefined;
  const nonEmpty = set && v !== '';
  switch (op) {
    case ':-':
      return nonEmpty ? (v as string) : expand(arg, vars, unknown);
    case '-':
      return set ? (v as string) : expand(arg, vars, unknown);
    case ':?':
      if (!nonEmpty)
        throw new InterpolationError(
          `required variable ${name} is missing a value: ${expand(arg, vars, unknown) || 'set it in the environment or .env'}`,
          name,
        );
      return v as string;
    case '?':
      if (!set)
        throw new InterpolationError(
          `required variable ${name} is missing: ${expand(arg, vars, unknown) || 'set it in the environment or .env'}`,
          name,
        );
      return v as string;
    case ':+':
      return nonEmpty ? expand(arg, vars, unknown) : '';
    case '+':
      return set ? expand(arg, vars, unknown) : '';
    default:
      if (!set) unknown.push(name);
      return v ?? '';
  }
}

export function interpolate(s: string, vars: Vars): Interpolated {
  const unknown: string[] = [];
  const value = expand(s, vars, unknown);
  return { value, unknown };
}

/**
 * `.env` syntax as Compose reads it: KEY=VALUE, optional quotes, # comments, `export ` prefix.
 * Unquoted and double-quoted values may reference the environment and earlier keys (`${A}`,
 * `${A:-x}`); single-quoted values are literal. `lookup` is the environment, which wins over
 * the file for a reference, as in Compose.
 */
export function parseDotEnv(text: string, lookup: Vars = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = (m[2] ?? '').trim();
    let literal = false;
    if (v.startsWith("'") && v.endsWith("'") && v.length >= 2) {
      v = v.slice(1, -1);
      literal = true;
    } else if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1).replace(/\\n/g, '\n');
    else v = v.replace(/\s+#.*$/, '');
    if (!literal && v.includes('$')) {
      try {
        v = interpolate(v, { ...out, ...lookup }).value;
      } catch {
        /* Compose refuses the file later, on the value it uses; keep the text */
      }
    }
    out[m[1] as string] = v;
  }
  return out;
}
