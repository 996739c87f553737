// For the whole-host commands (ports, exporter): keep V8's young generation at its initial size.
// By default V8 doubles each semi-space (up to 16 MB) while a burst of allocation survives, and a
// whole-host collection is one such burst: on a ×4 busy host that growth, never given back, was
// ~40 MB of the peak RSS with ~30 MB of live data (bench/results/conditions.md). Growth factor 1
// keeps the young generation small at a few percent more scavenges; the answers are the same.
// It is one of V8's own flags (node --v8-options), honoured when set at run time, unlike
// --max-semi-space-size, which is read once when the heap is made.
import { setFlagsFromString } from 'node:v8';

export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
