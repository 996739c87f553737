// /proc/net/{tcp,tcp6,udp,udp6}: the kernel's own socket tables, readable without `ss`.
import type { Family, Proto, Socket, SocketState } from '../../model.js';
import { decodeProcNetAddr } from '../../util/ip.js';

const TCP_STATES: Record<string, SocketState> = {
  '01': 'ESTABLISHED',
  '02': 'SYN-SENT',
  '03': 'SYN-RECV',
  '04': 'FIN-WAIT-1',
  '05': 'FIN-WAIT-2',
  '06': 'TIME-WAIT',
  '07': 'CLOSE',
  '08': 'CLOSE-WAIT',
  '09': 'LAST-ACK',
  '0A': 'LISTEN',
  '0B': 'CLOSING',
  '0C': 'SYN-RECV',
};

/**
 * Parse one /proc/net table. `ports`, when given, keeps only sockets bound to those local ports
 * (a single-port question need not allocate 5,000 objects). v6only is not in this table: it is
 * null here and filled in from `ss` when that is available. TCP keeps only listeners unless
 * `allStates` (the bind probe's any-state look at one port).
 */
export function parseProcNet(
  text: string,
  proto: Proto,
  family: Family,
  ports?: ReadonlySet<number>,
  allStates = false,
): Socket[] {
  const out: Socket[] = [];
  let pos = text.indexOf('\n') + 1; // skip header
  while (pos > 0 && pos < text.length) {
    const end = text.indexOf('\n', pos);
    const lineEnd = end < 0 ? text.length : end;
    const next = end < 0 ? text.length : end + 1;
    // "  12: 0100007F:46B6 00000000:0000 0A ...": find the local port without splitting the line,
    // so a single-port question does not allocate a string array for each of 5,000 sockets
    const c1 = text.indexOf(': ', pos);
    const la = c1 + 2;
    const sp = text.indexOf(' ', la);
    const colon = text.lastIndexOf(':', sp);
    if (c1 < 0 || c1 > lineEnd || sp < 0 || colon < la) {
      pos = next;
      continue;
    }
    const hex = text.slice(colon + 1, sp);
    // the kernel prints 4 hex digits; anything else (parseInt("ZZ", 16) is NaN) is no socket line
    const port = /^[0-9A-Fa-f]{4}$/.test(hex) ? parseInt(hex, 16) : NaN;
    if (Number.isNaN(port) || (ports && !ports.has(port))) {
      pos = next;
      continue;
    }
    const f = text.slice(pos, lineEnd).trim().split(/\s+/);
    pos = next;
    if (f.length < 10) continue;
    const uid = Number(f[7]);
    const inode = Number(f[9]);
    if (!Number.isInteger(uid) || !Number.isInteger(inode)) continue;
    const local = f[1] ?? '';
    const st = f[3] ?? '';
    let state: SocketState;
    if (proto === 'udp') state = st === '01' ? 'ESTABLISHED' : 'UNCONN';
    else state = TCP_STATES[st] ?? 'OTHER';
    if (proto === 'tcp' && state !== 'LISTEN' && !allStates) continue; // see bindOverlap
    out.push({
      proto,
      family,
      ip: decodeProcNetAddr(local.slice(0, local.lastIndexOf(':'))),
      port,
      v6only: null,
      state,
      uid,
      inode,
      pids: [],
    });
  }
  return out;
}
