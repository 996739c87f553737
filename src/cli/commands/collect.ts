import { lstatSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { collectSnapshot } from '../../collect/index.js';
import { nodeHostIO } from '../../collect/host-io.js';
import { saveSnapshot } from '../../snapshot/io.js';
import { redactSnapshot } from '../../snapshot/redact.js';
import { parseTarget, UsageError } from '../target.js';

export async function runCollect(o: {
  out?: string;
  port?: string[];
  probe?: boolean;
  force?: boolean;
}): Promise<number> {
  if (!o.out)
    throw new UsageError(
      'collect needs --out FILE (- for stdout; the snapshot is JSON; replay it with: portdoctor diagnose PORT --from FILE)',
    );
  const ports = (o.port ?? []).map((p) => parseTarget(p).port);
  // refuse before collecting: a second run must not spend its time and then fail on the existing file
  if (o.out !== '-') {
    let st: ReturnType<typeof lstatSync>;
    try {
      st = lstatSync(o.out, { throwIfNoEntry: false });
      const parent = dirname(o.out);
      if (!statSync(parent, { throwIfNoEntry: false })?.isDirectory())
        throw new UsageError(`--out ${o.out}: its directory ${parent} does not exist or is not a directory`);
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(
        `--out ${o.out}: cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); name another file`,
      );
    }
    if (st && !o.force)
      throw new UsageError(
        `--out ${o.out}: it exists${st.isSymbolicLink() ? ' (a symbolic link, never written through)' : ''}; add --force to replace it, or name a new file`,
      );
  }
  const snap = redactSnapshot(
    await collectSnapshot(nodeHostIO(), { ports, ...(o.probe === false ? { probe: false as const } : {}) }),
  );
  saveSnapshot(o.out, snap, { force: o.force === true });
  const errs = (
    ['host', 'sockets', 'processes', 'engine', 'containers', 'iptablesNft', 'iptablesLegacy', 'nft'] as const
  ).filter((k) => !snap[k].ok);
  const probe = snap.probe.ok
    ? `bind probe: ${snap.probe.value.binds.map((b) => `${b.proto} ${b.ip}:${b.port} ${b.outcome}`).join(', ') || 'nothing probed'}`
    : `no bind probe (${snap.probe.error.message})`;
  process.stderr.write(
    `portdoctor: snapshot written to ${o.out === '-' ? 'stdout' : o.out}${errs.length ? ` (could not read: ${errs.join(', ')})` : ''}; ${probe}\n`,
  );
  return 0;
}
