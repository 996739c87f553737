// Copies through a web page or a PDF sometimes break words with a blank ("cannot assig n requested
// address", "fail ed"): the phrases the patterns key on are put back together, letters and case kept.

const PHRASES = [
  'cannot assign requested address',
  'address already in use',
  'permission denied',
  'port is already allocated',
  'userland proxy',
  'failed programming external connectivity',
  'failed to bind host port',
  'ports are not available',
  'privileged port',
] as const;

// one optional blank between two letters of a word; any run of blanks between words
const spaced = (phrase: string): RegExp =>
  new RegExp(
    phrase
      .split(' ')
      .map((w) => [...w].join(' ?'))
      .join('\\s+'),
    'gi',
  );

const REPAIRS = PHRASES.map((p) => ({ re: spaced(p), words: p.split(' ').map((w) => w.length) }));

export function rejoinBrokenWords(s: string): string {
  let out = s;
  for (const { re, words } of REPAIRS)
    out = out.replace(re, (m) => {
      const letters = m.replace(/\s+/g, '');
      const parts: string[] = [];
      let at = 0;
      for (const n of words) {
        parts.push(letters.slice(at, at + n));
        at += n;
      }
      return parts.join(' ');
    });
  return out;
}
