// The processes of /proc, in pid order as the kernel lists them. Node's readdir sorts names ("10234"
// before "4411"), and walks that stop at the first match (daemons, socket owners) find long-running
// processes sooner in pid order. Throws what readdir throws when /proc cannot be listed.
import type { HostIO } from './host-io.js';

export function procPids(io: HostIO): number[] {
  return io
    .readdir('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .sort((a, b) => a - b);
}
