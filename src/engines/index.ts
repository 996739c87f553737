// Which engine-semantics table row answers for the engine in a snapshot, and who binds the host
// socket for it. Rules and the bind probe read these; none of them knows an engine by its version.
import type { EngineInfo } from '../model.js';
import { compareVersions } from '../util/version.js';
import { DOCKER_CLASSIC } from './docker-classic.js';
import { DOCKER_MODERN } from './docker-modern.js';
import { PODMAN, PODMAN_ROOTLESSPORT } from './podman.js';
import { PORT_DRIVERS, rootlessVariant } from './rootless.js';
import type { Binder, EngineSemantics, KnownBad } from './types.js';

export type { AllocatorKey, Binder, EngineSemantics, KnownBad, SockOpts } from './types.js';
export { DOCKER_CLASSIC, DOCKER_MODERN, PODMAN, PORT_DRIVERS };

export const ENGINE_TABLES: readonly EngineSemantics[] = [...DOCKER_CLASSIC, ...DOCKER_MODERN, ...PODMAN];

function inRange(v: string, s: EngineSemantics): boolean {
  return (s.from === null || compareVersions(v, s.from) >= 0) && (s.to === null || compareVersions(v, s.to) <= 0);
}

/** The row for this engine; null when the engine is unknown (no engine fact) or its version is not a version. */
export function semanticsFor(engine: EngineInfo | null): EngineSemantics | null {
  if (!engine) return null;
  const v = engine.version.replace(/^v/, '');
  if (!/^\d+\.\d+/.test(v)) return null;
  const product = engine.product ?? 'docker';
  const base = ENGINE_TABLES.find((s) => s.product === product && inRange(v, s));
  if (!base) return null;
  if (!engine.rootless) return base;
  if (product === 'podman') {
    const five = compareVersions(v, '5.0.0') >= 0;
    const pasta = PORT_DRIVERS.find((d) => d.driver === 'implicit')!.binder;
    const b = five ? pasta : PODMAN_ROOTLESSPORT;
    return { ...base, id: `${base.id}-rootless`, family: 'rootless', binder: b, binderNoProxy: b };
  }
  return rootlessVariant(base, engine.rootlessPortDriver ?? null);
}

/** Who binds the host-side socket under this engine's configuration. */
export function hostBinder(s: EngineSemantics, engine: EngineInfo): Binder {
  return engine.userlandProxy === false && !engine.rootless ? (s.binderNoProxy ?? s.binder) : s.binder;
}

/** Known-bad releases that apply to this engine: its version, and the port driver when one is named. */
export function knownBadFor(s: EngineSemantics | null, engine: EngineInfo | null): KnownBad[] {
  if (!s || !engine) return [];
  const v = engine.version.replace(/^v/, '');
  return s.knownBad.filter((k) => {
    if (compareVersions(v, k.first) < 0 || compareVersions(v, k.last) > 0) return false;
    if (k.portDriver === null) return true;
    // a driver-specific bug: only rootless, and not when another driver is known to be in use
    return engine.rootless && (engine.rootlessPortDriver == null || engine.rootlessPortDriver === k.portDriver);
  });
}
