// The shape of an engine-semantics table: what one engine family does when `docker run -p` (or
// `podman run -p`) publishes a port. Plain data, so rules read behaviour instead of hard-coding
// one engine's, and the bind probe asks the kernel the same question the engine asks.
import type { Proto } from '../model.js';

/** Socket options the binder sets before bind(2); they decide which existing sockets collide. */
export interface SockOpts {
  readonly reuseAddr: boolean;
  /** IPV6_V6ONLY on AF_INET6 sockets: a [::] bind then does not cover IPv4 */
  readonly v6only: boolean;
}

export interface Binder {
  /** the process that owns the host socket afterwards, as `ss` names it */
  readonly holder: string;
  /** who calls bind(2) (for 28+ dockerd, which hands the socket to docker-proxy) */
  readonly bindsIt: string;
  /** network namespace of the bind: 'host', or RootlessKit's 'child' namespace */
  readonly netns: 'host' | 'child';
  /** options per protocol; null = not known from source, so the probe cannot imitate it */
  readonly opts: Readonly<Record<Proto, SockOpts>> | null;
  /** does the binder listen(2) on TCP right after bind? (a listen-step refusal has its own wording) */
  readonly listens: boolean;
  /** where in upstream source this was read, and what confirmed it live */
  readonly source: string;
}

/** How dockerd's in-memory allocator decides "port is already allocated". */
export type AllocatorKey =
  /** the exact (host IP, proto, port): 127.0.0.1:P passes next to 0.0.0.0:P and the kernel decides */
  | 'exact-ip'
  /** also refuses a specific IP when the wildcard of its family holds the port, and the reverse */
  | 'ip-or-family-wildcard'
  /** no allocator of its own: the kernel's bind is the only check (Podman) */
  | 'none';

export interface KnownBad {
  readonly first: string;
  readonly last: string;
  readonly fixed: string | null;
  /** only with this RootlessKit port driver (null: any) */
  readonly portDriver: string | null;
  readonly issue: string;
  readonly fix: string | null;
  readonly what: string;
}

export interface EngineSemantics {
  /** stable id, e.g. 'docker-28.3' */
  readonly id: string;
  /** which table it comes from: 'docker-20.10-27', 'docker-28+', 'rootless', 'podman' */
  readonly family: string;
  readonly label: string;
  readonly product: 'docker' | 'podman';
  /** version range, inclusive; null = open */
  readonly from: string | null;
  readonly to: string | null;
  /** host IPs bound when `-p P:C` names none */
  readonly defaultHostIps: readonly string[];
  /** the binder with the userland proxy on (the default) and off */
  readonly binder: Binder;
  readonly binderNoProxy: Binder | null;
  /** rootless: the engine's own bind inside RootlessKit's child namespace (the port driver binds the host side) */
  readonly childBinder: Binder | null;
  readonly allocator: AllocatorKey;
  /** the wording of a refusal; %s placeholders as upstream formats them */
  readonly wording: { readonly allocated: string | null; readonly inUse: string; readonly listen: string | null };
  /** the error stage that a kernel refusal is reported as (see src/explain/stages.ts) */
  readonly bindStage: 'userland-proxy' | 'host-bind' | 'rootless-port-driver';
  readonly knownBad: readonly KnownBad[];
  readonly notes: readonly string[];
}
