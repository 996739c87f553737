// The path model's vocabulary: a packet asked about, the hops it takes through netfilter, and who
// answers at the end. Plain data, so `trace --json` prints it as is.
import type { FirewallBackend, NfHook, Proto } from '../model.js';

export type Origin =
  | { readonly kind: 'outside' }
  /** loopback: to 127.0.0.1 / ::1; otherwise to one of the host's own non-loopback addresses */
  | { readonly kind: 'host'; readonly loopback: boolean }
  /** a client in this container (name or id), on its first network unless `network` says */
  | { readonly kind: 'container'; readonly name: string; readonly network?: string };

export interface PacketSpec {
  readonly proto: Proto;
  /** the host port asked about */
  readonly port: number;
  readonly family?: 4 | 6;
  readonly from: Origin;
  /** the address the client connects to; default: chosen per origin (see walk.ts) */
  readonly daddr?: string;
}

export interface Hop {
  readonly hook: NfHook | 'socket' | 'route';
  readonly backend: FirewallBackend | null;
  readonly family: string | null;
  readonly table: string | null;
  readonly chain: string | null;
  /** the rule as listed; null for a chain policy or a non-rule step */
  readonly rule: string | null;
  readonly position: number | null;
  readonly handle: number | null;
  /** iptables-save argv after -A CHAIN, to name (and delete) the rule exactly */
  readonly spec: readonly string[] | null;
  /** e.g. 'jump DOCKER', 'dnat to 172.17.0.2:80', 'accept', 'drop', 'policy drop', 'return' */
  readonly verdict: string;
  readonly comment: string | null;
}

export type Outcome =
  | {
      readonly kind: 'container';
      readonly id: string;
      readonly name: string;
      readonly ip: string;
      readonly port: number;
    }
  /** docker-proxy accepted it and connects to the container itself */
  | {
      readonly kind: 'docker-proxy';
      readonly pid: number;
      readonly containerIp: string;
      readonly containerPort: number;
      readonly container: { readonly id: string; readonly name: string } | null;
    }
  | {
      readonly kind: 'host-socket';
      readonly holder: 'process' | 'dockerd' | 'container-process' | 'forwarder' | 'resolved-stub' | 'unseen';
      readonly pid: number | null;
      readonly comm: string | null;
      readonly ip: string;
      readonly port: number;
    }
  /** a filter rule or policy dropped or rejected it */
  | { readonly kind: 'dropped'; readonly verdict: 'drop' | 'reject'; readonly by: Hop }
  /** it reached the host, but nothing listens there (TCP reset, ICMP port unreachable) */
  | { readonly kind: 'no-listener'; readonly ip: string; readonly port: number }
  /** forwarded to an address no live container has: nobody answers, the client times out */
  | { readonly kind: 'blackhole'; readonly ip: string; readonly port: number }
  /** a client in a container reaching localhost: its own loopback, never the host */
  | { readonly kind: 'own-loopback'; readonly container: string; readonly instead: readonly string[] }
  | { readonly kind: 'unknown'; readonly why: string };

export interface PathResult {
  readonly hops: readonly Hop[];
  readonly outcome: Outcome;
  /** what this branch assumed about matches the model could not decide */
  readonly assumptions: readonly string[];
}

export interface Walk {
  readonly spec: PacketSpec;
  /** the packet as it leaves the client */
  readonly packet: {
    readonly saddr: string | null;
    readonly daddr: string | null;
    readonly iif: string | null;
    readonly dport: number;
  };
  /** one path per combination of undecidable matches; usually exactly one */
  readonly paths: readonly PathResult[];
  /** the outcome when every path agrees, else 'unknown' naming the split */
  readonly outcome: Outcome;
  /** the model's own caveats (missing facts, guesses it had to make) */
  readonly notes: readonly string[];
}
