// Which privilege a denied read lacked. Root is not enough on its own: a systemd unit's
// CapabilityBoundingSet or a container's cap_add can leave root without the capability a collector
// needs, and "run as root" then sends the user the wrong way. Bits from linux/capability.h.
import type { HostIO } from './host-io.js';

export const CAPS = {
  CAP_DAC_READ_SEARCH: 2,
  CAP_NET_ADMIN: 12,
  CAP_NET_RAW: 13,
  CAP_SYS_PTRACE: 19,
} as const;
export type CapName = keyof typeof CAPS;

/** The effective capabilities of this process (CapEff of /proc/self/status), null when unreadable. */
export function effectiveCaps(io: HostIO): bigint | null {
  try {
    const m = /^CapEff:\s+([0-9a-f]+)$/m.exec(io.readText('/proc/self/status'));
    return m ? BigInt(`0x${m[1]}`) : null;
  } catch {
    return null;
  }
}

/** Which of `needed` this process lacks: null when its capabilities cannot be read. */
export function missingCaps(io: HostIO, needed: readonly CapName[]): CapName[] | null {
  const eff = effectiveCaps(io);
  if (eff === null) return null;
  return needed.filter((c) => (eff & (1n << BigInt(CAPS[c]))) === 0n);
}

/**
 * What to do about a denied read that needs `needed`: "run as root" for a non-root user; for root
 * without some of them, their names and where to grant them.
 */
export function privilegeHint(io: HostIO, needed: readonly CapName[]): string {
  const all = needed.join(', ');
  if (io.uid !== 0) return `run as root (it needs ${all})`;
  const missing = missingCaps(io, needed);
  if (missing === null) return `it needs ${all}`;
  if (missing.length === 0)
    return `root with ${all}, yet denied: a security module (AppArmor, SELinux, seccomp) may forbid it`;
  return `running as root without ${missing.join(', ')}: add ${missing.length > 1 ? 'them' : 'it'} to the unit's CapabilityBoundingSet or the container's cap_add`;
}
