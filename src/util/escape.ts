// Host-controlled text (a process's argv and comm, container names and labels, compose bytes, file
// paths, rule comments) reaches root's terminal in human output. Any user can start a process whose
// argv holds ESC sequences or a newline and a fake "port-free (certain)" line, so every control
// character is shown escaped, never sent. Pure.

/** C0 and DEL, C1, and the bidirectional marks and overrides (text that reorders what is shown) */
const CONTROL = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\x1b': '\\x1b' };

const escapeOne = (c: string): string => {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/** The text with every control character written out (`\x1b`, `\n`, `\u202e`); plain text is unchanged. */
export function escapeControl(s: string): string {
  return s.replace(CONTROL, escapeOne);
}

/** For bash's `$'…'`: there `\xHH` is one byte, so C1 characters (two bytes in UTF-8) are written `\u00HH`. */
export function escapeControlForShell(s: string): string {
  return s.replace(CONTROL, (c) =>
    c.charCodeAt(0) < 0x80 ? escapeOne(c) : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function hasControl(s: string): boolean {
  CONTROL.lastIndex = 0;
  const r = CONTROL.test(s);
  CONTROL.lastIndex = 0;
  return r;
}
