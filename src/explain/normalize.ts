// Turn whatever a user pasted into message records: CRLF, JSON-escaped API bodies, wrapped
// terminal lines, ANSI colours, control bytes. Bounded so hostile input cannot hang us.
import { rejoinBrokenWords } from './respace.js';

export const MAX_INPUT = 4 * 1024 * 1024;
const MAX_RECORD = 8 * 1024;
const MAX_RECORDS = 2000;

export interface MessageRecord {
  /** lines joined with a space */
  readonly text: string;
  /** lines joined with nothing (a terminal that wrapped mid-word) */
  readonly tight: string;
  readonly line: number;
}

/** Lines that begin a new message in docker / compose / podman / dockerd output. */
const START =
  /^(?:ERROR|Error|error|ERRO\[|WARN|WARNING|docker:|podman:|time=|level=|Creating|Starting|Recreating|Container |Attaching|Network |Volume |Pulling|Encountered|Host is|\[\+\]|#\d|[✘✔⠿]|Run '|nginx:|com\.|C:\\|[\w.-]+\s+\| |\d{4}\/\d\d\/\d\d )/;

function unescapeJsonish(s: string): string {
  // a JSON API body pasted whole: {"message":"..."}
  const t = s.trim();
  if (t.startsWith('{') && t.endsWith('}')) {
    try {
      const o = JSON.parse(t) as { message?: unknown };
      if (typeof o.message === 'string') return o.message;
    } catch {
      /* not JSON after all */
    }
  }
  if (!/\\["nu]/.test(s)) return s;
  return s
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/\\r\\n|\\n/g, '\n')
    .replace(/\\t/g, ' ')
    .replace(/\\"/g, '"');
}

export function normalizeInput(raw: string): string {
  let s = raw.length > MAX_INPUT ? raw.slice(0, MAX_INPUT) : raw;
  s = s.replace(/^\uFEFF/, '');
  s = s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''); // ANSI colours from compose v2
  // markdown turned an address into a link: [0.0.0.0:80](http://0.0.0.0/) → 0.0.0.0:80
  s = s.replace(/\[([^\]\n]{1,100})\]\((?:https?:)?\/\/[^)\s]{0,200}\)/g, '$1');
  s = s.replace(/\r\n?/g, '\n');
  s = unescapeJsonish(s);
  // binary junk and other control bytes become spaces
  s = s.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, ' ');
  return rejoinBrokenWords(s);
}

export function splitRecords(text: string): MessageRecord[] {
  const lines = text.split('\n');
  const out: MessageRecord[] = [];
  let cur: string[] = [];
  let curLen = 0;
  let start = 0;
  const flush = (): void => {
    if (!cur.length) return;
    const joined = cur.map((l) => l.trim());
    const t = joined.join(' ').replace(/\s+/g, ' ').trim();
    if (t) out.push({ text: t.slice(0, MAX_RECORD), tight: joined.join('').slice(0, MAX_RECORD), line: start + 1 });
    cur = [];
    curLen = 0;
  };
  for (let i = 0; i < lines.length && out.length < MAX_RECORDS; i++) {
    const line = (lines[i] ?? '').slice(0, MAX_RECORD);
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (cur.length === 0 || START.test(line)) {
      flush();
      start = i;
    }
    cur.push(line);
    curLen += line.length + 1;
    if (curLen > MAX_RECORD) flush();
  }
  flush();
  return out;
}
