// Compose variable interpolation, as Compose resolves it: ${VAR}, $VAR, ${VAR:-default},
// ${VAR-default}, ${VAR:?err}, ${VAR?err}, ${VAR:+alt}, ${VAR+alt}, and $$ for a literal $.
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

/** `.env` syntax: KEY=VALUE, optional quotes, # comments, `export ` prefix. */
export function parseDotEnv(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    let v = (m[2] ?? '').trim();
    if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) v = v.slice(1, -1);
    else v = v.replace(/\s+#.*$/, '');
    out[m[1] as string] = v;
  }
  return out;
}

export function interpolate(s: string, vars: Readonly<Record<string, string | undefined>>): Interpolated {
  const unknown: string[] = [];
  const value = s.replace(
    /\$\$|\$\{([^}]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (whole, braced: string | undefined, bare: string | undefined) => {
      if (whole === '$$') return '$';
      const expr = braced ?? bare ?? '';
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])(.*))?$/s.exec(expr);
      if (!m) throw new InterpolationError(`invalid interpolation "${whole}"`, expr);
      const name = m[1] as string;
      const op = m[2];
      const arg = m[3] ?? '';
      const v = vars[name];
      const set = v !== undefined;
      const nonEmpty = set && v !== '';
      switch (op) {
        case ':-':
          return nonEmpty ? (v as string) : interpolate(arg, vars).value;
        case '-':
          return set ? (v as string) : interpolate(arg, vars).value;
        case ':?':
          if (!nonEmpty)
            throw new InterpolationError(
              `required variable ${name} is missing a value: ${arg || 'set it in the environment or .env'}`,
              name,
            );
          return v as string;
        case '?':
          if (!set)
            throw new InterpolationError(
              `required variable ${name} is missing: ${arg || 'set it in the environment or .env'}`,
              name,
            );
          return v as string;
        case ':+':
          return nonEmpty ? interpolate(arg, vars).value : '';
        case '+':
          return set ? interpolate(arg, vars).value : '';
        default:
          if (!set) unknown.push(name);
          return v ?? '';
      }
    },
  );
  return { value, unknown };
}
