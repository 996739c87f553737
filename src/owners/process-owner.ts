// Is a process that looks like docker-proxy (by name or argv) really an engine's docker-proxy? Only
// its executable says: /proc/PID/exe must be a docker-proxy binary an engine runs (collected in
// engineBinaries), or the process must be a child of dockerd running a docker-proxy binary.
// Anything else named docker-proxy is a host process, and never gets an unattended kill.
import type { Proc, Snapshot } from '../model.js';

export type ProxyProof =
  | { readonly proven: true; readonly why: string }
  /** impostor: its executable is known and is not an engine's docker-proxy */
  | { readonly proven: false; readonly impostor: boolean; readonly why: string };

export function dockerProxyProof(p: Proc, snap: Snapshot, parentIsDockerd: boolean): ProxyProof {
  const exe = p.exe;
  if (exe === undefined || exe === null)
    return {
      proven: false,
      impostor: false,
      why: `its executable (/proc/${p.pid}/exe) could not be read${exe === undefined ? ' (not in this snapshot)' : ''}, so it is not proven to be Docker's`,
    };
  const bins = snap.engineBinaries;
  const known =
    bins && typeof bins === 'object' && bins.ok && Array.isArray(bins.value.dockerProxy) ? bins.value : null;
  const hit = known?.dockerProxy.find((b) => b.path === exe);
  if (hit) return { proven: true, why: `it runs ${exe} (${hit.why})` };
  // dockerd ran it as its proxy: whatever the file is called, that is the engine's binary
  if (parentIsDockerd) return { proven: true, why: `dockerd started it (it runs ${exe})` };
  if (!known)
    return {
      proven: false,
      impostor: false,
      why: `it runs ${exe}, and the engines' docker-proxy binaries were not collected`,
    };
  return {
    proven: false,
    impostor: true,
    why: `it is named docker-proxy but runs ${exe}, which is not an engine's docker-proxy${known ? ` (${known.dockerProxy.map((b) => b.path).join(', ') || 'none found'})` : ''}`,
  };
}
