// The path model: where a packet to a host port goes, from the rule sets in a snapshot alone.
export { bridgeOfAddress, walkPath, describeOutcome } from './walk.js';
export type { Hop, Origin, Outcome, PacketSpec, PathResult, Walk } from './types.js';
