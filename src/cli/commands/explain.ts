import { explain, primary } from '../../explain/explain.js';
import { textArg } from '../io.js';
import { bold, dim, yellow } from '../render/text.js';
import { UsageError } from '../target.js';

export async function runExplain(parts: string[], o: { json?: boolean; rootless?: boolean }): Promise<number> {
  const raw = parts.length === 1 && parts[0] === '-' ? (textArg('-') ?? '') : parts.join(' ');
  if (!raw.trim())
    throw new UsageError(
      'nothing to explain: pass the error text as an argument, or - to read it (or a whole compose log) from stdin',
    );
  const r = explain(raw, { rootless: o.rootless });
  const p = primary(r);
  if (o.json) {
    const top = p ?? {
      stage: 'other',
      subject: { proto: null, ip: null, port: null, family: null, range: null },
      engine: { product: 'unknown', wording: [] },
      meaning: 'not recognised as a port-publish error',
      next: [],
      conflict: false,
      pattern: null,
    };
    process.stdout.write(`${JSON.stringify({ ...top, explanations: r.explanations }, null, 2)}\n`);
  } else if (!r.explanations.length) {
    process.stdout.write(
      'Not recognised as a Docker/Podman port-publish error. Paste the whole message (docker run / compose output, or the dockerd log line).\n',
    );
  } else {
    for (const e of r.explanations) {
      const s = e.subject;
      const subj =
        s.port !== null
          ? `${s.ip ?? '*'}:${s.port}${s.proto ? `/${s.proto}` : ''}${s.range ? ` (in range ${s.range.start}-${s.range.end})` : ''}`
          : 'port not named';
      process.stdout.write(
        `${bold(e.stage)} ${dim(`[${e.pattern}]`)} ${subj}${e.service ? ` ${dim(`(${e.service})`)}` : ''}\n`,
      );
      if (e.engine.wording.length) process.stdout.write(`  ${dim(`wording: ${e.engine.wording.join('; ')}`)}\n`);
      process.stdout.write(`  ${e.meaning}\n`);
      for (const n of e.next) process.stdout.write(`  ${yellow('→')} ${n}\n`);
      process.stdout.write('\n');
    }
  }
  if (!p) return 2;
  return r.explanations.some((e) => e.conflict) ? 1 : 0;
}
