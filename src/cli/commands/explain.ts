import { explain, primary } from '../../explain/explain.js';
import { EXIT } from '../exit.js';
import { textArg } from '../io.js';
import { outputWidth, wrapText } from '../output.js';
import { bold, dim, yellow } from '../render/text.js';
import { UsageError } from '../target.js';
import type { ExplainJson, UnrecognisedJson } from '../json-types.js';

export async function runExplain(parts: string[], o: { json?: boolean; rootless?: boolean }): Promise<number> {
  const raw =
    parts.length === 1 && parts[0] === '-'
      ? (textArg('-', 'the error text or a whole docker compose log') ?? '')
      : parts.join(' ');
  if (!raw.trim())
    throw new UsageError(
      'nothing to explain: pass the error text as an argument, or - to read it (or a whole compose log) from stdin',
    );
  const r = explain(raw, { rootless: o.rootless });
  const p = primary(r);
  if (o.json) {
    const top: ExplainJson['explanations'][number] | UnrecognisedJson = p ?? {
      stage: 'other',
      subject: { proto: null, ip: null, port: null, family: null, range: null },
      engine: { product: 'unknown', wording: [] },
      meaning: 'not recognised as a port-publish error',
      next: [],
      conflict: false,
      pattern: null,
    };
    process.stdout.write(
      `${JSON.stringify({ ...top, explanations: r.explanations } satisfies ExplainJson, null, 2)}\n`,
    );
  } else if (!r.explanations.length) {
    process.stdout.write(
      wrapText(
        'Not recognised as a Docker/Podman port-publish error. Paste the whole message (docker run / compose output, or the dockerd log line).\n',
        outputWidth(),
      ),
    );
  } else {
    const out: string[] = [];
    for (const e of r.explanations) {
      const s = e.subject;
      const subj =
        s.port !== null
          ? `${s.ip ?? '*'}:${s.port}${s.proto ? `/${s.proto}` : ''}${s.range ? ` (in range ${s.range.start}-${s.range.end})` : ''}`
          : 'port not named';
      out.push(`${bold(e.stage)} ${dim(`[${e.pattern}]`)} ${subj}${e.service ? ` ${dim(`(${e.service})`)}` : ''}`);
      if (e.engine.wording.length) out.push(`  ${dim(`wording: ${e.engine.wording.join('; ')}`)}`);
      out.push(`  ${e.meaning}`);
      // a next step is a command to copy: the terminal may fold it, a newline inside it must not
      for (const n of e.next) out.push(`  ${yellow('→')} ${n}`);
      out.push('');
    }
    process.stdout.write(`${wrapText(out.join('\n'), outputWidth(), (l) => l.includes('→'))}\n`);
  }
  if (!p) return EXIT.undecided;
  return r.explanations.some((e) => e.conflict) ? EXIT.found : EXIT.ok;
}
